#pragma once
// Who a client is: the identifier rules of the contract (docs/protocol.md,
// section 1) as the plugin applies them at sign-in. The rules themselves are
// chat::protocol's; the plugin's code names them in its own namespace.
#include "chat/protocol/identifiers.hpp"

namespace chat::auth {

using Uid = protocol::Id;
using ChatId = protocol::Id;

using protocol::canonical_username;
using protocol::ClientId;
using protocol::is_safe_identifier;
using protocol::is_valid_device;
using protocol::is_valid_message_id;
using protocol::parse_client_id;
using protocol::parse_id;

}  // namespace chat::auth
