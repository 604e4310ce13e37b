#pragma once
// Names of schema constraints that callers tell apart, as DbError::constraint()
// reports them: e.g. a unique_violation on username_taken answers "conflict:
// username taken", one on phone_taken "phone already registered".
#include <string_view>

namespace chat::storage::constraint {

inline constexpr std::string_view username_taken = "users_username_key";
inline constexpr std::string_view username_format = "users_username_check";
inline constexpr std::string_view phone_taken = "users_phone_key";
inline constexpr std::string_view phone_format = "users_phone_check";
inline constexpr std::string_view display_name_length = "users_display_name_check";
inline constexpr std::string_view chat_title_length = "chats_title_check";
inline constexpr std::string_view client_msg_id_taken = "message_client_ids_pkey";
inline constexpr std::string_view client_msg_id_format = "messages_client_msg_id_check";
inline constexpr std::string_view message_body_format = "messages_body_check";
// Not a constraint: the one-round-trip append's forecast was wrong (migration 14).
inline constexpr std::string_view append_forecast_missed = "messages_append_forecast";
inline constexpr std::string_view message_seq_taken = "messages_pkey";
inline constexpr std::string_view pushkey_taken = "push_devices_pushkey_key";

}  // namespace chat::storage::constraint
