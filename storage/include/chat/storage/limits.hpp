#pragma once
// Rules of the wire contract that every path into the database obeys (the
// bridge's requests and the admin tools alike), so they are checked here, in
// the transaction that would break them. The numbers are the protocol's
// (chat/protocol/limits.hpp, docs/protocol.md): named here, defined there.
#include "chat/protocol/limits.hpp"

namespace chat::storage {

// Members of a group, its owner included.
using protocol::limits::kMaxGroupMembers;

// Users one user blocks at most ("Blocking"): the list of them is one answer.
using protocol::limits::kMaxBlockedUsers;

}  // namespace chat::storage
