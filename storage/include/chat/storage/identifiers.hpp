#pragma once
// The identifier rules are the wire contract's (chat::protocol); storage folds
// usernames with the same function before every lookup by name. The schema's
// CHECK constraints enforce the same patterns for every writer.
#include "chat/protocol/identifiers.hpp"

namespace chat::storage {

using protocol::fold_username;

}  // namespace chat::storage
