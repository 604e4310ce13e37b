#pragma once
// The plugin's memory of the database: which users are members of which live
// group, which users may not sign in, and who blocks whom. Read on the broker thread for every
// ACL check and sign-in; written by the cache loader's thread. Readers take a
// shared lock for one or two hash lookups; the writer builds a new snapshot
// outside the lock and swaps it in, or applies a batch of small changes.
#include "acl.hpp"
#include "auth_change.hpp"

#include "chat/storage/auth.hpp"

#include <atomic>
#include <cstdint>
#include <cstddef>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace chat::auth {

class AuthCache final : public MembershipView {
 public:
  bool is_member(ChatId chat, Uid uid) const override;
  bool blocks(Uid blocker, Uid blocked) const override;
  bool is_refused(Uid uid) const;
  // Tokens of `uid` issued (iat) before this many seconds since the epoch are
  // void; 0 when none was ever revoked.
  std::int64_t tokens_not_before(Uid uid) const;
  // False until the first snapshot was loaded: until then nothing is known
  // about who is disabled, and every user sign-in is refused (fail closed).
  bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

  // Replaces everything. Returns the users refused now who were not before
  // (none on the first load): a reload after the database was away finds the
  // users disabled meanwhile, whose connected clients are still to be kicked.
  std::vector<storage::RefusedUser> load(const storage::AuthSnapshot& snapshot);

  // One change in a batch: a change as announced, and for group_restored the
  // group's members as read after the announcement.
  struct Update {
    AuthChange change;
    std::vector<Uid> members;
  };
  void apply(const std::vector<Update>& updates);

  struct Counts {
    std::size_t groups = 0;
    std::size_t memberships = 0;
    std::size_t refused_users = 0;
    std::size_t blocks = 0;
  };
  Counts counts() const;

 private:
  using Groups = std::unordered_map<ChatId, std::unordered_set<Uid>>;
  // (blocker, blocked) as one key: one probe per check, one 24-byte node per
  // block (no cached hash: the hash below is noexcept and cheap).
  struct Block {
    Uid blocker = 0;
    Uid blocked = 0;
    bool operator==(const Block&) const = default;
  };
  struct BlockHash {
    std::size_t operator()(const Block& b) const noexcept {
      // splitmix64's finaliser over both ids: sequential ids spread over the buckets.
      std::uint64_t x =
          static_cast<std::uint64_t>(b.blocker) * 0x9E3779B97F4A7C15ULL ^ static_cast<std::uint64_t>(b.blocked);
      x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
      x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
      return static_cast<std::size_t>(x ^ (x >> 31));
    }
  };
  using Blocks = std::unordered_set<Block, BlockHash>;
  mutable std::shared_mutex mutex_;
  Groups groups_;
  std::unordered_set<Uid> refused_;
  std::unordered_map<Uid, std::int64_t> token_floors_;
  Blocks blocks_;
  std::size_t memberships_ = 0;
  std::atomic<bool> ready_{false};
};

}  // namespace chat::auth
