#pragma once
// Rules of the wire contract that every path into the database obeys (the
// bridge's requests and the admin tools alike), so they are checked here, in
// the transaction that would break them.
#include <cstddef>

namespace chat::storage {

// Members of a group, its owner included (docs/protocol.md).
inline constexpr std::size_t kMaxGroupMembers = 1000;

// Users one user blocks at most (docs/protocol.md, "Blocking"): the list of
// them is one answer.
inline constexpr std::size_t kMaxBlockedUsers = 1000;

}  // namespace chat::storage
