#pragma once
// Blocking (docs/protocol.md, "Blocking"): who blocks whom. The broker's auth
// plugin enforces blocks on the message path from its own copy (it follows
// user_blocks through NOTIFY chat_auth, migration 0009); these are the
// bridge's reads and writes.
#include "chat/storage/connection.hpp"
#include "chat/storage/types.hpp"

#include <span>
#include <vector>

namespace chat::storage {

enum class BlockOutcome {
  blocked,        // recorded now, or it already was (idempotent)
  limit_reached,  // the blocker blocks kMaxBlockedUsers users already
};

class BlockStore {
 public:
  explicit BlockStore(Connection& connection) noexcept : connection_(connection) {}

  // `blocked` must exist (foreign_key_violation otherwise) and differ from
  // `blocker` (check_violation); the caller checks both to answer them.
  BlockOutcome block(UserId blocker, UserId blocked);
  // Idempotent: unblocking a user who is not blocked changes nothing.
  // True when a block was lifted.
  bool unblock(UserId blocker, UserId blocked);
  // The users `blocker` blocks, by id.
  std::vector<UserId> blocked_by(UserId blocker);
  // Those of `users` who block `user`, by id.
  std::vector<UserId> blocking(UserId user, std::span<const UserId> users);

 private:
  Connection& connection_;
};

}  // namespace chat::storage
