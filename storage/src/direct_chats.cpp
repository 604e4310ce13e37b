// Direct chats resolved from dm topics in bulk (the bridge's message path),
// created on first use.
#include "chat/storage/chats.hpp"

#include "sql/delivery_sql.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace chat::storage {
namespace {

using Pair = std::pair<UserId, UserId>;  // (lo, hi)

Pair ordered(const UserPair& p) { return {std::min(p.from, p.to), std::max(p.from, p.to)}; }

struct Found {
  std::optional<ChatId> chat_id;
  bool lo_exists = false;
  bool hi_exists = false;
};

std::map<Pair, Found> find_direct(Connection& tx, const std::vector<Pair>& pairs) {
  std::vector<UserId> lo;
  std::vector<UserId> hi;
  for (const auto& [a, b] : pairs) {
    lo.push_back(a);
    hi.push_back(b);
  }
  std::map<Pair, Found> found;
  std::size_t i = 0;
  for (const Row row : tx.execute(sql::kFindDirectChats, Param::int64_array(lo), Param::int64_array(hi))) {
    found[pairs.at(i++)] = Found{row.optional_int64("chat_id"), row.boolean("a_exists"), row.boolean("b_exists")};
  }
  return found;
}

}  // namespace

std::vector<DirectChatRef> ChatStore::resolve_direct_chats(std::span<const UserPair> pairs) {
  std::vector<Pair> distinct;
  for (const UserPair& p : pairs) {
    if (p.from != p.to) distinct.push_back(ordered(p));
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

  std::map<Pair, Found> found;
  if (!distinct.empty()) {
    found = connection_.transaction([&](Connection& tx) {
      auto result = find_direct(tx, distinct);
      std::vector<UserId> create_lo;
      std::vector<UserId> create_hi;
      std::vector<Pair> created;
      for (const auto& [pair, f] : result) {
        if (!f.chat_id && f.lo_exists && f.hi_exists) {
          create_lo.push_back(pair.first);
          create_hi.push_back(pair.second);
          created.push_back(pair);
        }
      }
      if (!created.empty()) {
        tx.execute(sql::kCreateDirectChats, Param::int64_array(create_lo), Param::int64_array(create_hi));
        // A fresh statement sees both the chats just created and those a
        // concurrent writer created (ON CONFLICT waited for its commit).
        for (auto& [pair, f] : find_direct(tx, created)) result[pair] = f;
      }
      return result;
    });
  }

  std::vector<DirectChatRef> refs;
  refs.reserve(pairs.size());
  for (const UserPair& p : pairs) {
    DirectChatRef ref;
    if (p.from == p.to) {
      refs.push_back(ref);
      continue;
    }
    const Found& f = found.at(ordered(p));
    ref.chat_id = f.chat_id;
    ref.from_exists = p.from < p.to ? f.lo_exists : f.hi_exists;
    ref.to_exists = p.from < p.to ? f.hi_exists : f.lo_exists;
    if (!ref.from_exists || !ref.to_exists) ref.chat_id.reset();
    refs.push_back(ref);
  }
  return refs;
}

}  // namespace chat::storage
