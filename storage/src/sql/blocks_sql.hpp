#pragma once
// Statements of BlockStore (blocks.cpp; the table is migration 0009's).
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// Serialises one blocker's blocks (its users row), so that the count below
// holds until its insert commits: two devices blocking at once cannot pass
// the limit. NO KEY UPDATE: the foreign keys' KEY SHARE locks do not wait.
inline constexpr Statement kLockBlocker{"blocks.lock_blocker", R"sql(
SELECT id FROM users WHERE id = $1::bigint FOR NO KEY UPDATE)sql"};

// Whether blocker $1 already blocks $2, and how many it blocks.
inline constexpr Statement kBlockState{"blocks.state", R"sql(
SELECT EXISTS (SELECT 1 FROM user_blocks WHERE blocker_id = $1::bigint AND blocked_id = $2::bigint) AS present,
       (SELECT count(*) FROM user_blocks WHERE blocker_id = $1::bigint) AS blocks)sql"};

inline constexpr Statement kInsertBlock{"blocks.insert", R"sql(
INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1::bigint, $2::bigint)
ON CONFLICT DO NOTHING)sql"};

inline constexpr Statement kDeleteBlock{"blocks.delete", R"sql(
DELETE FROM user_blocks WHERE blocker_id = $1::bigint AND blocked_id = $2::bigint)sql"};

inline constexpr Statement kBlockedBy{"blocks.blocked_by", R"sql(
SELECT blocked_id FROM user_blocks WHERE blocker_id = $1::bigint ORDER BY blocked_id)sql"};

// Those of $2 who block $1 (the index on (blocked_id, blocker_id)).
inline constexpr Statement kBlocking{"blocks.blocking", R"sql(
SELECT blocker_id FROM user_blocks
WHERE blocked_id = $1::bigint AND blocker_id = ANY($2::bigint[])
ORDER BY blocker_id)sql"};

}  // namespace chat::storage::sql
