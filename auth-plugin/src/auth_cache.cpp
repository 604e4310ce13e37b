#include "auth_cache.hpp"

#include <algorithm>
#include <mutex>

namespace chat::auth {

bool AuthCache::is_member(ChatId chat, Uid uid) const {
  const std::shared_lock lock(mutex_);
  const auto group = groups_.find(chat);
  return group != groups_.end() && group->second.count(uid) != 0;
}

bool AuthCache::blocks(Uid blocker, Uid blocked) const {
  const std::shared_lock lock(mutex_);
  return blocks_.count(Block{blocker, blocked}) != 0;
}

bool AuthCache::is_refused(Uid uid) const {
  const std::shared_lock lock(mutex_);
  return refused_.count(uid) != 0;
}

std::int64_t AuthCache::tokens_not_before(Uid uid) const {
  const std::shared_lock lock(mutex_);
  const auto floor = token_floors_.find(uid);
  return floor == token_floors_.end() ? 0 : floor->second;
}

std::vector<storage::RefusedUser> AuthCache::load(const storage::AuthSnapshot& snapshot) {
  Groups groups;
  std::size_t memberships = 0;
  for (const auto& [chat, uid] : snapshot.group_members) {
    if (groups[chat].insert(uid).second) ++memberships;
  }
  std::unordered_set<Uid> refused;
  for (const auto& user : snapshot.refused_users) refused.insert(user.id);
  std::unordered_map<Uid, std::int64_t> floors(snapshot.token_floors.begin(), snapshot.token_floors.end());
  Blocks blocks;
  blocks.reserve(snapshot.blocks.size());
  for (const auto& [blocker, blocked] : snapshot.blocks) blocks.insert(Block{blocker, blocked});
  const bool reload = ready();
  {
    const std::unique_lock lock(mutex_);
    groups_.swap(groups);
    refused_.swap(refused);
    token_floors_.swap(floors);
    blocks_.swap(blocks);
    memberships_ = memberships;
  }
  ready_.store(true, std::memory_order_release);
  // `refused` now holds the previous set; the old maps are freed outside the lock.
  std::vector<storage::RefusedUser> newly_refused;
  if (reload) {
    for (const auto& user : snapshot.refused_users) {
      if (refused.count(user.id) == 0) newly_refused.push_back(user);
    }
  }
  return newly_refused;
}

void AuthCache::apply(const std::vector<Update>& updates) {
  if (updates.empty()) return;
  // Sets freed by a removed group are destroyed after the lock is released.
  std::vector<std::unordered_set<Uid>> garbage;
  const std::unique_lock lock(mutex_);
  for (const Update& update : updates) {
    const AuthChange& change = update.change;
    switch (change.kind) {
      case AuthChange::Kind::member_added:
        if (groups_[change.chat].insert(change.uid).second) ++memberships_;
        break;
      case AuthChange::Kind::member_removed: {
        const auto group = groups_.find(change.chat);
        if (group != groups_.end() && group->second.erase(change.uid) != 0) {
          --memberships_;
          if (group->second.empty()) groups_.erase(group);
        }
        break;
      }
      case AuthChange::Kind::group_removed:
      case AuthChange::Kind::group_restored: {
        const auto group = groups_.find(change.chat);
        if (group != groups_.end()) {
          memberships_ -= group->second.size();
          garbage.push_back(std::move(group->second));
          groups_.erase(group);
        }
        if (change.kind == AuthChange::Kind::group_restored && !update.members.empty()) {
          auto& members = groups_[change.chat];
          for (const Uid uid : update.members) {
            if (members.insert(uid).second) ++memberships_;
          }
        }
        break;
      }
      case AuthChange::Kind::user_refused:
        refused_.insert(change.uid);
        break;
      case AuthChange::Kind::user_allowed:
        refused_.erase(change.uid);
        break;
      case AuthChange::Kind::tokens_revoked: {
        std::int64_t& floor = token_floors_[change.uid];
        floor = std::max(floor, change.not_before);
        break;
      }
      case AuthChange::Kind::user_blocked:
        blocks_.insert(Block{change.uid, change.blocked_uid});
        break;
      case AuthChange::Kind::user_unblocked:
        blocks_.erase(Block{change.uid, change.blocked_uid});
        break;
      case AuthChange::Kind::password_changed:
        break;  // the broker thread's password cache, not this one
    }
  }
}

AuthCache::Counts AuthCache::counts() const {
  const std::shared_lock lock(mutex_);
  return Counts{groups_.size(), memberships_, refused_.size(), blocks_.size()};
}

}  // namespace chat::auth
