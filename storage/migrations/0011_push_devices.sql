-- Schema v9: push that reaches phones (issue #15, docs/protocol.md
-- "Conversation features: push").
--
-- push_devices: a device's registration with a push service (FCM, APNs, Web
-- Push) through a Matrix push gateway such as Sygnal. One per device of a
-- user; kept until the device unregisters or the gateway rejects its pushkey.
-- The notifier reads a recipient's rows when a notification is about to be
-- sent, so a registration made after the message still gets it.
CREATE TABLE push_devices (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_id  text NOT NULL,
  -- The gateway routes by app_id (Sygnal's "app" names, e.g. com.example.chat.ios).
  app_id     text NOT NULL,
  kind       text NOT NULL,
  -- The push service's token for this app on this device (FCM registration
  -- token, APNs device token, the Web Push subscription's key).
  pushkey    text NOT NULL,
  -- Passed to the gateway as the device's `data` (e.g. default_payload).
  data       jsonb NOT NULL DEFAULT '{}',
  -- When the pushkey was last registered: the gateway's `pushkey_ts`.
  pushkey_ts timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, device_id),
  CONSTRAINT push_devices_device_id_check CHECK (device_id ~ '^[A-Za-z0-9_-]+$' AND octet_length(device_id) <= 32),
  CONSTRAINT push_devices_app_id_check CHECK (app_id ~ '^[A-Za-z0-9._-]+$' AND octet_length(app_id) <= 64),
  CONSTRAINT push_devices_kind_check CHECK (kind IN ('fcm', 'apns', 'webpush')),
  CONSTRAINT push_devices_pushkey_check CHECK (octet_length(pushkey) BETWEEN 1 AND 512),
  CONSTRAINT push_devices_data_check CHECK (jsonb_typeof(data) = 'object'),
  -- A pushkey reaches one phone: when another account registers it (the
  -- phone changed hands, or its user signed in as someone else), the earlier
  -- registration goes, so the previous account's messages stop showing on it
  -- (the Matrix spec's pusher rule with append = false).
  CONSTRAINT push_devices_pushkey_key UNIQUE (app_id, pushkey)
);


-- Per-chat mute: no push for that chat while muted_until is in the future
-- (NULL: not muted). On the membership row, so that it ends with the membership.
ALTER TABLE chat_members ADD COLUMN muted_until timestamptz;
