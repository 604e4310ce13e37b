#pragma once
// One change announced on the chat_auth channel by the triggers of
// storage/migrations/0002_auth.sql (and later migrations). Pure parsing.
#include "identity.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::auth {

struct AuthChange {
  enum class Kind {
    member_added,      // m+ chat uid
    member_removed,    // m- chat uid
    group_removed,     // c- chat
    group_restored,    // c+ chat: reload its members
    user_refused,      // u- uid username
    user_allowed,      // u+ uid username
    password_changed,  // p uid username
    tokens_revoked,    // t uid seconds: tokens issued before are void (migration 0006)
    user_blocked,      // b+ blocker blocked (migration 0009)
    user_unblocked,    // b- blocker blocked
  };
  Kind kind = Kind::member_added;
  ChatId chat = 0;
  Uid uid = 0;  // for a block: the blocker
  std::string username;
  std::int64_t not_before = 0;  // tokens_revoked: seconds since the epoch
  Uid blocked_uid = 0;          // user_blocked, user_unblocked
};

// nullopt for anything that is not one of the forms above (the trailing
// serial number is required and ignored).
std::optional<AuthChange> parse_auth_change(std::string_view payload);

}  // namespace chat::auth
