#pragma once
// Statements of device presence (devices.online, users.last_seen).
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

// Serializes presence changes of one user (two bridges may handle two of its
// devices at once). Nothing when the user does not exist.
inline constexpr Statement kLockUserForPresence{"presence.lock_user", R"sql(
SELECT id FROM users WHERE id = $1::bigint FOR NO KEY UPDATE)sql"};

// Records device $2 of user $1 as online ($3 true) or offline, and returns
// whether the user was online before and is now. Going offline with no other
// device online sets users.last_seen. Run after kLockUserForPresence, in a
// statement of its own so that its snapshot sees what the lock waited for.
inline constexpr Statement kSetDeviceState{"presence.set_device_state", R"sql(
WITH before AS (
  SELECT coalesce(bool_or(online) FILTER (WHERE device_id <> $2::text), false) AS others,
         coalesce(bool_or(online) FILTER (WHERE device_id = $2::text), false) AS self
  FROM devices WHERE user_id = $1::bigint
),
device AS (
  INSERT INTO devices (user_id, device_id, online, last_connect_at)
  VALUES ($1::bigint, $2::text, $3::boolean, CASE WHEN $3::boolean THEN clock_timestamp() END)
  ON CONFLICT (user_id, device_id) DO UPDATE
    SET online = EXCLUDED.online,
        last_connect_at = coalesce(EXCLUDED.last_connect_at, devices.last_connect_at)
),
seen AS (
  UPDATE users SET last_seen = clock_timestamp()
  FROM before
  WHERE users.id = $1::bigint AND NOT $3::boolean AND NOT before.others
  RETURNING epoch_ms(users.last_seen) AS last_seen_ms
)
SELECT (b.others OR b.self) AS was_online, (b.others OR $3::boolean) AS online,
       coalesce((SELECT last_seen_ms FROM seen),
                (SELECT epoch_ms(last_seen) FROM users WHERE id = $1::bigint)) AS last_seen_ms
FROM before b)sql"};

// Locks the users that have a device recorded online since before $1 (ms):
// in id order, like kLockUserForPresence, so the two never deadlock.
inline constexpr Statement kLockUsersWithStaleDevices{"presence.lock_stale_users", R"sql(
SELECT id FROM users
WHERE id IN (SELECT user_id FROM devices
             WHERE online AND (last_connect_at IS NULL OR last_connect_at < to_timestamp($1::bigint / 1000.0)))
ORDER BY id
FOR NO KEY UPDATE)sql"};

// Marks the devices recorded online since before $1 offline; returns the users
// left with no online device, whose last_seen becomes at least $1.
inline constexpr Statement kClearStaleDevices{"presence.clear_stale", R"sql(
WITH cleared AS (
  UPDATE devices SET online = false
  WHERE online AND (last_connect_at IS NULL OR last_connect_at < to_timestamp($1::bigint / 1000.0))
  RETURNING user_id
),
gone AS (
  SELECT DISTINCT c.user_id FROM cleared c
  WHERE NOT EXISTS (SELECT 1 FROM devices d
                    WHERE d.user_id = c.user_id AND d.online
                      AND d.last_connect_at >= to_timestamp($1::bigint / 1000.0))
)
UPDATE users u
SET last_seen = greatest(coalesce(u.last_seen, to_timestamp($1::bigint / 1000.0)),
                         to_timestamp($1::bigint / 1000.0))
FROM gone WHERE u.id = gone.user_id
RETURNING u.id, epoch_ms(u.last_seen) AS last_seen_ms)sql"};

}  // namespace chat::storage::sql
