#pragma once
// Statements of push devices (device.register / device.unregister, the
// gateway's rejected pushkeys) and per-chat mutes.
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// The registering user, locked so that two registrations of one user count
// its devices one after the other. A deleted account registers nothing.
inline constexpr Statement kLockUserForPush{"push.lock_user", R"sql(
SELECT id FROM users WHERE id = $1::bigint AND deleted_at IS NULL FOR NO KEY UPDATE)sql"};

// The user's registrations other than device $2.
inline constexpr Statement kCountOtherPushDevices{"push.count_others", R"sql(
SELECT count(*) AS n FROM push_devices WHERE user_id = $1::bigint AND device_id <> $2::text)sql"};

// The pushkey ($1 app_id, $2 pushkey) held by any other registration goes:
// one pushkey reaches one phone, and the latest account to register it owns it.
inline constexpr Statement kReleasePushkey{"push.release_pushkey", R"sql(
DELETE FROM push_devices
WHERE app_id = $1::text AND pushkey = $2::text AND NOT (user_id = $3::bigint AND device_id = $4::text))sql"};

inline constexpr Statement kUpsertPushDevice{"push.upsert", R"sql(
INSERT INTO push_devices (user_id, device_id, app_id, kind, pushkey, data, pushkey_ts)
VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::jsonb, now())
ON CONFLICT (user_id, device_id) DO UPDATE
SET app_id = excluded.app_id, kind = excluded.kind, pushkey = excluded.pushkey, data = excluded.data,
    pushkey_ts = excluded.pushkey_ts
RETURNING epoch_ms(pushkey_ts) AS pushkey_ts_ms)sql"};

inline constexpr Statement kDeletePushDevice{"push.delete", R"sql(
DELETE FROM push_devices WHERE user_id = $1::bigint AND device_id = $2::text)sql"};

inline constexpr Statement kPushDevicesOf{"push.of_users", R"sql(
SELECT user_id, device_id, app_id, kind, pushkey, data::text AS data, epoch_ms(pushkey_ts) AS pushkey_ts_ms
FROM push_devices
WHERE user_id = ANY($1::bigint[])
ORDER BY user_id, device_id)sql"};

inline constexpr Statement kDeleteRejectedPushkeys{"push.delete_rejected", R"sql(
DELETE FROM push_devices WHERE user_id = $1::bigint AND pushkey = ANY($2::text[]))sql"};

// Mutes chat $2 for member $1 until $3 (ms; NULL unmutes), in one statement
// that also says why nothing changed: no such chat, deleted, or not a member.
inline constexpr Statement kMuteChat{"push.mute_chat", R"sql(
WITH chat AS (
  SELECT id, deleted_at IS NOT NULL AS deleted FROM chats WHERE id = $2::bigint
),
muted AS (
  UPDATE chat_members m
  SET muted_until = CASE WHEN $3::bigint IS NULL THEN NULL ELSE to_timestamp($3::bigint / 1000.0) END
  FROM chat
  WHERE m.chat_id = chat.id AND m.user_id = $1::bigint AND NOT chat.deleted
  RETURNING m.user_id
)
SELECT EXISTS (SELECT 1 FROM chat) AS chat_exists,
       coalesce((SELECT deleted FROM chat), false) AS deleted,
       EXISTS (SELECT 1 FROM muted) AS member)sql"};

}  // namespace chat::storage::sql
