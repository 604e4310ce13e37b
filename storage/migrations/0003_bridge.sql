-- Schema v3: what the bridge (bridge/, docs/bridge.md) reads often enough to
-- deserve an index.

-- The devices that are online: a small part of the table at any time. The
-- bridge clears the ones recorded before the broker's start (left stale by a
-- crash: their `offline` will never came) whenever it sees a broker start,
-- which then touches these rows only instead of scanning every device ever
-- seen.
CREATE INDEX devices_online_idx ON devices (last_connect_at) WHERE online;
