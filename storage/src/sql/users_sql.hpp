#pragma once
// Statements on users. Every one returns the same columns, read by read_user().
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

inline constexpr Statement kCreateUser{"users.create", R"sql(
INSERT INTO users (username, phone, password_hash, display_name)
VALUES ($1::text, $2::text, $3::text, $4::text)
RETURNING id, username, phone, display_name, disabled,
          epoch_ms(created_at) AS created_at_ms, epoch_ms(updated_at) AS updated_at_ms,
          epoch_ms(last_seen) AS last_seen_ms)sql"};

// $2 display_name (NULL: keep), $3 whether to set the phone, $4 the new phone
// (NULL clears it), $5 disabled (NULL: keep).
inline constexpr Statement kUpdateUser{"users.update", R"sql(
UPDATE users
SET display_name = coalesce($2::text, display_name),
    phone        = CASE WHEN $3::boolean THEN $4::text ELSE phone END,
    disabled     = coalesce($5::boolean, disabled),
    updated_at   = now()
WHERE id = $1::bigint
RETURNING id, username, phone, display_name, disabled,
          epoch_ms(created_at) AS created_at_ms, epoch_ms(updated_at) AS updated_at_ms,
          epoch_ms(last_seen) AS last_seen_ms)sql"};

}  // namespace chat::storage::sql
