#pragma once
// The contract's vocabulary of push (docs/protocol.md, "Conversation
// features: push that reaches phones"): the request ops a device registers
// with and mutes chats with, their bounds, and the names of the Matrix push
// gateway API the notification webhook speaks.
#include <array>
#include <cstddef>
#include <string_view>

namespace chat::protocol::push {

// Request ops (section 4).
inline constexpr std::string_view kOpDeviceRegister = "device.register";
inline constexpr std::string_view kOpDeviceUnregister = "device.unregister";
inline constexpr std::string_view kOpChatMute = "chat.mute";

// The chat list entry's field (chat.list, sync's chat.added): the caller's
// mute of that chat in server ms, present only while it is ahead of the
// server's clock.
inline constexpr std::string_view kFieldMutedUntil = "muted_until";

// device.register's `kind`: the push service behind the gateway.
inline constexpr std::array<std::string_view, 3> kKinds{"fcm", "apns", "webpush"};

// Bounds of device.register (the Matrix spec's, where it has one).
inline constexpr std::size_t kMaxAppIdBytes = 64;     // reverse-DNS style: [A-Za-z0-9._-]
inline constexpr std::size_t kMaxPushkeyBytes = 512;  // printable ASCII, no spaces
inline constexpr std::size_t kMaxDataBytes = 2048;    // `data`, a JSON object, serialized
inline constexpr int kMaxPushDevicesPerUser = 20;     // registrations of one user

// `data.format` asking for notifications without content, as Matrix pushers do.
inline constexpr std::string_view kFormatEventIdOnly = "event_id_only";

// The Matrix push gateway API (spec: push-gateway-api, POST /_matrix/push/v1/notify).
inline constexpr std::string_view kMatrixNotifyPath = "/_matrix/push/v1/notify";
inline constexpr std::string_view kMatrixMessageType = "m.room.message";
inline constexpr std::string_view kMatrixPrioHigh = "high";

}  // namespace chat::protocol::push
