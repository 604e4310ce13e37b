#pragma once
// The wire contract's identifier rules as functions, for callers that want to
// refuse bad input before a round trip (the bridge, the admin tools). The
// schema's CHECK constraints enforce the same patterns for every writer.
#include <string>
#include <string_view>

namespace chat::storage {

// Usernames are case-folded: "Alice" and "alice" are one account. Only ASCII
// letters fold; anything non-ASCII is left as is and fails is_valid_username.
std::string fold_username(std::string_view username);

bool is_valid_username(std::string_view username);        // ^[a-z0-9_.]{3,32}$
bool is_valid_phone(std::string_view phone);              // E.164: ^\+[1-9][0-9]{6,14}$
bool is_valid_device_id(std::string_view device_id);      // ^[A-Za-z0-9_-]{1,32}$
bool is_valid_client_msg_id(std::string_view client_id);  // ^[A-Za-z0-9_-]{1,64}$

}  // namespace chat::storage
