// Who blocks whom: the bridge's side of blocking (the plugin reads the same
// table through its snapshot and NOTIFY, auth_store.cpp).
#include "chat/storage/blocks.hpp"

#include "chat/storage/limits.hpp"
#include "chat/storage/param.hpp"
#include "sql/blocks_sql.hpp"

#include <algorithm>

namespace chat::storage {

BlockOutcome BlockStore::block(UserId blocker, UserId blocked) {
  return connection_.transaction([&](Connection& tx) {
    tx.execute(sql::kLockBlocker, blocker);
    const Row state = tx.execute(sql::kBlockState, blocker, blocked).one();
    if (state.boolean("present")) return BlockOutcome::blocked;
    if (state.int64("blocks") >= static_cast<std::int64_t>(kMaxBlockedUsers)) return BlockOutcome::limit_reached;
    tx.execute(sql::kInsertBlock, blocker, blocked);
    return BlockOutcome::blocked;
  });
}

bool BlockStore::unblock(UserId blocker, UserId blocked) {
  return connection_.execute(sql::kDeleteBlock, blocker, blocked).affected_rows() > 0;
}

std::vector<UserId> BlockStore::blocked_by(UserId blocker) {
  std::vector<UserId> users;
  for (const Row row : connection_.execute(sql::kBlockedBy, blocker)) users.push_back(row.int64("blocked_id"));
  return users;
}

std::vector<UserId> BlockStore::blocking(UserId user, std::span<const UserId> users) {
  std::vector<UserId> wanted(users.begin(), users.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<UserId> blockers;
  if (wanted.empty()) return blockers;
  for (const Row row : connection_.execute(sql::kBlocking, user, Param::int64_array(wanted))) {
    blockers.push_back(row.int64("blocker_id"));
  }
  return blockers;
}

}  // namespace chat::storage
