#pragma once
// The contract's bounds (docs/protocol.md, sections 3 and 4), each named once:
// the broker plugin, the bridge, storage and the admin tools all read them here.
#include <cstddef>
#include <cstdint>

namespace chat::protocol::limits {

// ---- payloads (section 3)
inline constexpr std::size_t kMaxPayloadBytes =
    64 * 1024;                                        // the default; both the plugin and the bridge take an option
inline constexpr int kMaxJsonDepth = 16;              // objects and arrays nested at most this deep
inline constexpr std::size_t kMaxReceiptRefs = 1000;  // `refs` of one receipt
inline constexpr std::size_t kMaxEmojiBytes = 32;     // a reaction's `emoji`: one grapheme of at most this
// Distinct emoji one user keeps on one message at most: a message's reactions
// are carried in every history and sync record of it, so one member must not
// be able to grow that record without bound (WhatsApp keeps 1, Telegram 3).
inline constexpr std::size_t kMaxReactionsPerUser = 20;
// How long the author may edit a text message by default (the bridge's edit_window_s).
inline constexpr std::int64_t kDefaultEditWindowSeconds = 48 * 3600;

// ---- groups
inline constexpr std::size_t kMaxGroupMembers = 1000;  // members of a group, its owner included

// ---- blocking
inline constexpr std::size_t kMaxBlockedUsers = 1000;  // users one user blocks at most (user.blocked fits one answer)

// ---- requests (section 4)
inline constexpr std::size_t kMaxRequestIdBytes = 128;  // a request's `id`
inline constexpr std::size_t kMaxUsers = 100;           // users/members in chat.create/add/remove
inline constexpr std::size_t kMaxPresenceUsers = 200;   // users in presence.get
inline constexpr std::size_t kMaxTitleChars = 128;      // a group's title, in code points
inline constexpr int kDefaultHistoryLimit = 50;
inline constexpr int kMaxHistoryLimit = 200;
inline constexpr int kChatListPage = 200;             // chats per chat.list answer
inline constexpr std::size_t kMaxSyncCursors = 1000;  // chats named in one sync
inline constexpr int kSyncPerChat = 200;              // messages per chat in one sync answer
inline constexpr int kSyncTotal = 2000;               // messages in one sync answer
inline constexpr int kSyncMembershipEvents = 200;     // "added" chats in one sync answer
// history's before_ts at most: the last millisecond of year 9999. PostgreSQL's
// interval and timestamp arithmetic overflows near 9.2e15 ms; a bound well
// inside makes such a value the client's error (bad_request), not the database's.
inline constexpr std::int64_t kMaxTimeMs = 253'402'300'799'999;
// An answer's payload at most: the broker's message_size_limit (128 KiB in
// broker-config) applies to the bridge's publishes too; what does not fit
// is left for the next page ("more": true).
inline constexpr std::size_t kMaxResponseBytes = 120 * 1024;

}  // namespace chat::protocol::limits
