#pragma once
// Statements of the auth plugin (see auth_store.cpp and 0002_auth.sql).
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// A password sign-in's single lookup, by the primary access path (the unique
// username index): one index probe.
inline constexpr Statement kAuthUserCredentials{"auth.user_credentials", R"sql(
SELECT id, password_hash, disabled
FROM users
WHERE username = $1::text)sql"};

// A sign-in token's account by primary key, with its revocation floor in the
// token's whole seconds (0: never revoked).
inline constexpr Statement kAuthTokenHolder{"auth.token_holder", R"sql(
SELECT id, username, disabled, deleted_at IS NOT NULL AS deleted,
       coalesce(floor(extract(epoch FROM tokens_not_before))::bigint, 0) AS not_before
FROM users
WHERE id = $1::bigint)sql"};

inline constexpr Statement kAuthGroupMembers{"auth.group_members", R"sql(
SELECT m.chat_id, m.user_id
FROM chat_members m
JOIN chats c ON c.id = m.chat_id
WHERE c.kind = 'group' AND c.deleted_at IS NULL
ORDER BY m.chat_id)sql"};

inline constexpr Statement kAuthRefusedUsers{"auth.refused_users", R"sql(
SELECT id, username FROM users WHERE disabled
UNION
SELECT id, username FROM deleted_users)sql"};

// Users whose tokens issued before a time are void (migration 0006).
inline constexpr Statement kAuthTokenFloors{"auth.token_floors", R"sql(
SELECT user_id, not_before FROM auth_token_floors())sql"};

// Who blocks whom (migration 0009), through a SECURITY DEFINER function as above.
inline constexpr Statement kAuthUserBlocks{"auth.user_blocks", R"sql(
SELECT blocker_id, blocked_id FROM auth_user_blocks())sql"};

// The members of one group, none when it is not a live group.
inline constexpr Statement kAuthMembersOfGroup{"auth.members_of_group", R"sql(
SELECT m.user_id
FROM chat_members m
JOIN chats c ON c.id = m.chat_id
WHERE m.chat_id = $1::bigint AND c.kind = 'group' AND c.deleted_at IS NULL
ORDER BY m.user_id)sql"};

// Not a prepared statement (LISTEN takes no parameters); run as a script.
inline constexpr std::string_view kListenAuthChanges = "LISTEN chat_auth";

}  // namespace chat::storage::sql
