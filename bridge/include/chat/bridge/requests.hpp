#pragma once
// Client requests (docs/protocol.md section 4): req/{uid}/{device} carries
// {"id":"r1","op":"…","args":{…}}. This is the pure part: reading a request
// and checking its arguments against the contract's types and limits, so
// that what reaches the database is well-formed and bounded.
#include "chat/bridge/topics.hpp"
#include "chat/protocol/events.hpp"
#include "chat/protocol/limits.hpp"
#include "chat/protocol/search.hpp"
#include "chat/storage/search.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace chat::bridge {

// The bounds of the request path: the contract's (chat::protocol::limits),
// and the bridge's own below.
namespace request_limits {
using namespace ::chat::protocol::limits;
// A message record at most. A stored body can serialize longer than it was
// sent (PostgreSQL writes the number 1E19 out as 20 digits); a record over
// this is served without its content, so that every record fits an answer
// beside the other chats' entries and no catch-up can stall on one message.
inline constexpr std::size_t kMaxMessageRecordBytes = 66 * 1024;
}  // namespace request_limits

// A request's `error.code`: bad_request, forbidden, not_found, conflict or
// internal (the contract's codes; too_large and rate_limited are the plugin's).
using RequestErrorCode = protocol::ErrorCode;
using protocol::to_string;

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
struct UserArgs {  // user.block, user.unblock
  Id user = 0;
};
struct NoArgs {};  // user.blocked
struct SearchArgs {
  std::string query;                            // 1 to kMaxQueryChars code points, not only spaces, no NUL
  std::optional<Id> chat;                       // only this chat
  std::optional<storage::SearchCursor> before;  // a previous answer's `next`
  int limit = protocol::search::kDefaultLimit;
};
// device.register: the caller's device's push registration (checked against
// chat::protocol::push's bounds; `data` is a JSON object's text).
struct DeviceRegisterArgs {
  std::string device;
  std::string app_id;
  std::string kind;
  std::string pushkey;
  std::string data = "{}";
};
struct DeviceUnregisterArgs {
  std::string device;
};
struct ChatMuteArgs {
  Id chat = 0;
  std::int64_t until = 0;  // ms; 0 unmutes
};

enum class Op {
  dm_open,
  chat_create,
  chat_delete,
  chat_add,
  chat_remove,
  chat_list,
  chat_info,
  history,
  sync,
  presence_get,
  user_block,
  user_unblock,
  user_blocked,
  search,
  device_register,
  device_unregister,
  chat_mute
};
std::string_view to_string(Op op) noexcept;

using RequestArgs =
    std::variant<DmOpenArgs, ChatCreateArgs, ChatArgs, ChatUsersArgs, ChatListArgs, HistoryArgs, SyncArgs,
                 PresenceGetArgs, UserArgs, NoArgs, SearchArgs, DeviceRegisterArgs, DeviceUnregisterArgs, ChatMuteArgs>;

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

// A search answer's `next` (an opaque string to clients) and back; nullopt
// for text that no answer gave.
std::string format_search_cursor(const storage::SearchCursor& cursor);
std::optional<storage::SearchCursor> parse_search_cursor(std::string_view text);

// Reads and checks a request payload of at most max_bytes.
std::variant<Request, RequestFailure> parse_request(std::string_view payload, std::size_t max_bytes);

// The answers, as JSON text: {"id":…,"ok":true,"result":<result_json>} and
// {"id":…,"ok":false,"error":{"code":…,"message":…}}. A missing id is null.
std::string ok_response(const std::optional<std::string>& id, std::string_view result_json);
std::string error_response(const std::optional<std::string>& id, const RequestError& error);

}  // namespace chat::bridge
