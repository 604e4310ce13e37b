#pragma once
// Client requests (docs/protocol.md section 4): req/{uid}/{device} carries
// {"id":"r1","op":"…","args":{…}}. This is the pure part: reading a request
// and checking its arguments against the contract's types and limits, so
// that what reaches the database is well-formed and bounded.
#include "chat/bridge/topics.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace chat::bridge {

// The bounds of the request path, each named in docs/protocol.md.
namespace request_limits {
inline constexpr std::size_t kMaxIdBytes = 128;          // a request's `id`
inline constexpr std::size_t kMaxUsers = 100;            // users in chat.create/add/remove
inline constexpr std::size_t kMaxPresenceUsers = 200;    // users in presence.get
inline constexpr std::size_t kMaxGroupMembers = 1000;    // members of a group, its owner included
inline constexpr std::size_t kMaxTitleChars = 128;       // code points
inline constexpr int kDefaultHistoryLimit = 50;
inline constexpr int kMaxHistoryLimit = 200;
inline constexpr int kChatListPage = 200;                // chats per chat.list answer
inline constexpr std::size_t kMaxSyncCursors = 1000;     // chats named in one sync
inline constexpr int kSyncPerChat = 200;                 // messages per chat in one sync answer
inline constexpr int kSyncTotal = 2000;                  // messages in one sync answer
inline constexpr int kSyncMembershipEvents = 200;        // "added" chats in one sync answer
// history's before_ts at most: the last millisecond of year 9999. PostgreSQL's
// interval and timestamp arithmetic overflows near 9.2e15 ms; a bound well
// inside makes such a value the client's error (bad_request), not the database's.
inline constexpr std::int64_t kMaxTimeMs = 253'402'300'799'999;
// An answer's payload at most: the broker's message_size_limit (128 KiB in
// broker-config) applies to the bridge's publishes too; what does not fit
// is left for the next page ("more": true).
inline constexpr std::size_t kMaxResponseBytes = 120 * 1024;
// A message record at most. A stored body can serialize longer than it was
// sent (PostgreSQL writes the number 1E19 out as 20 digits); a record over
// this is served without its content, so that every record fits an answer
// beside the other chats' entries and no catch-up can stall on one message.
inline constexpr std::size_t kMaxMessageRecordBytes = 66 * 1024;
}  // namespace request_limits

enum class RequestErrorCode { bad_request, forbidden, not_found, conflict, internal };
std::string_view to_string(RequestErrorCode code) noexcept;

struct RequestError {
  RequestErrorCode code = RequestErrorCode::bad_request;
  std::string message;
};

struct DmOpenArgs {
  Id user = 0;
};
struct ChatCreateArgs {
  std::string title;
  std::vector<Id> members;  // sorted, unique
};
struct ChatArgs {  // chat.delete, chat.info
  Id chat = 0;
};
struct ChatUsersArgs {  // chat.add, chat.remove
  Id chat = 0;
  std::vector<Id> users;  // sorted, unique, not empty
};
struct ChatListArgs {
  Id after = 0;  // chats with a greater id (paging); 0 from the start
};
struct HistoryArgs {
  enum class Anchor { newest, before_seq, after_seq, before_ts };
  Id chat = 0;
  Anchor anchor = Anchor::newest;
  std::int64_t value = 0;  // the seq or time (ms) of the anchor
  int limit = request_limits::kDefaultHistoryLimit;
};
struct SyncArgs {
  struct Cursor {
    Id chat = 0;
    std::int64_t seq = 0;  // the last seq the client has of this chat
  };
  std::vector<Cursor> cursors;  // by chat id
};
struct PresenceGetArgs {
  std::vector<Id> users;  // sorted, unique, not empty
};

enum class Op { dm_open, chat_create, chat_delete, chat_add, chat_remove, chat_list, chat_info, history, sync,
                presence_get };
std::string_view to_string(Op op) noexcept;

using RequestArgs = std::variant<DmOpenArgs, ChatCreateArgs, ChatArgs, ChatUsersArgs, ChatListArgs, HistoryArgs,
                                 SyncArgs, PresenceGetArgs>;

struct Request {
  std::string id;
  Op op = Op::chat_list;
  RequestArgs args;
};

// A request that cannot be served: answered with this error, under the
// request's id when one could be read (null otherwise).
struct RequestFailure {
  std::optional<std::string> id;
  RequestError error;
};

// Reads and checks a request payload of at most max_bytes.
std::variant<Request, RequestFailure> parse_request(std::string_view payload, std::size_t max_bytes);

// The answers, as JSON text: {"id":…,"ok":true,"result":<result_json>} and
// {"id":…,"ok":false,"error":{"code":…,"message":…}}. A missing id is null.
std::string ok_response(const std::optional<std::string>& id, std::string_view result_json);
std::string error_response(const std::optional<std::string>& id, const RequestError& error);

}  // namespace chat::bridge
