#include "chat/bridge/requests.hpp"

#include "bounded_json.hpp"

#include "chat/protocol/identifiers.hpp"
#include "chat/protocol/push.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <limits>

namespace chat::bridge {
namespace {

using nlohmann::json;
namespace limits = request_limits;

// Argument errors travel as exceptions inside this file only: each check is
// one line where it applies, and parse_request turns the first into an answer.
struct ArgError {
  std::string message;
};

[[noreturn]] void fail(std::string message) { throw ArgError{std::move(message)}; }

const json* find(const json& args, const char* name) {
  const auto it = args.find(name);
  return it == args.end() ? nullptr : &*it;
}

// An integer that fits int64 (no floats, no strings).
std::optional<std::int64_t> as_int64(const json& value) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

Id id_arg(const json& value, const char* name) {
  const auto v = as_int64(value);
  if (!v || *v <= 0) fail(std::string(name) + " must be a positive integer id");
  return *v;
}

Id required_id(const json& args, const char* name) {
  const json* value = find(args, name);
  if (value == nullptr) fail(std::string("missing argument ") + name);
  return id_arg(*value, name);
}

std::int64_t int_arg(const json& value, const char* name, std::int64_t min, std::int64_t max) {
  const auto v = as_int64(value);
  if (!v || *v < min || *v > max) {
    fail(std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return *v;
}

std::vector<Id> id_list(const json& args, const char* name, std::size_t max, bool may_be_empty) {
  const json* value = find(args, name);
  if (value == nullptr) fail(std::string("missing argument ") + name);
  if (!value->is_array()) fail(std::string(name) + " must be an array of user ids");
  if (value->size() > max) fail(std::string(name) + ": at most " + std::to_string(max) + " users");
  if (value->empty() && !may_be_empty) fail(std::string(name) + " must not be empty");
  std::vector<Id> ids;
  ids.reserve(value->size());
  for (const json& item : *value) ids.push_back(id_arg(item, name));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string title_arg(const json& args) {
  const json* value = find(args, "title");
  if (value == nullptr) fail("missing argument title");
  if (!value->is_string()) fail("title must be a string");
  const auto& title = value->get_ref<const std::string&>();
  const std::size_t length = code_points(title);
  if (length == 0 || length > limits::kMaxTitleChars) {
    fail("title must have 1 to " + std::to_string(limits::kMaxTitleChars) + " characters");
  }
  if (title.find('\0') != std::string::npos) fail("title must not contain NUL");
  return title;
}

// Every argument must be one the op knows: a typo is an error, not a default.
void only(const json& args, std::initializer_list<const char*> known) {
  for (const auto& item : args.items()) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const std::string& key = item.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      fail("unknown argument " + json(key).dump());
    }
  }
}

HistoryArgs history_args(const json& args) {
  only(args, {"chat", "before_seq", "after_seq", "before_ts", "limit"});
  HistoryArgs h;
  h.chat = required_id(args, "chat");
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  int anchors = 0;
  if (const json* v = find(args, "before_seq")) {
    h.anchor = HistoryArgs::Anchor::before_seq;
    h.value = int_arg(*v, "before_seq", 1, kMax);
    ++anchors;
  }
  if (const json* v = find(args, "after_seq")) {
    h.anchor = HistoryArgs::Anchor::after_seq;
    h.value = int_arg(*v, "after_seq", 0, kMax);
    ++anchors;
  }
  if (const json* v = find(args, "before_ts")) {
    h.anchor = HistoryArgs::Anchor::before_ts;
    h.value = int_arg(*v, "before_ts", 0, limits::kMaxTimeMs);
    ++anchors;
  }
  if (anchors > 1) fail("give at most one of before_seq, after_seq, before_ts");
  if (const json* v = find(args, "limit")) {
    h.limit = static_cast<int>(int_arg(*v, "limit", 1, limits::kMaxHistoryLimit));
  }
  return h;
}

SyncArgs sync_args(const json& args) {
  only(args, {"cursors"});
  const json* cursors = find(args, "cursors");
  if (cursors == nullptr) fail("missing argument cursors");
  if (!cursors->is_object()) fail("cursors must be an object {\"<chat>\": <seq>}");
  if (cursors->size() > limits::kMaxSyncCursors) {
    fail("cursors: at most " + std::to_string(limits::kMaxSyncCursors) + " chats");
  }
  SyncArgs s;
  s.cursors.reserve(cursors->size());
  for (const auto& [key, value] : cursors->items()) {
    const auto chat = parse_id(key);
    if (!chat) fail("cursors: " + json(key).dump() + " is not a chat id");
    s.cursors.push_back({*chat, int_arg(value, "a cursor", 0, std::numeric_limits<std::int64_t>::max())});
  }
  // Keys are distinct text; "7" and "07" cannot both pass parse_id.
  std::sort(s.cursors.begin(), s.cursors.end(), [](const auto& a, const auto& b) { return a.chat < b.chat; });
  return s;
}

SearchArgs search_args(const json& args) {
  namespace search = protocol::search;
  only(args, {search::kQuery.data(), search::kChat.data(), search::kBefore.data(), search::kLimit.data()});
  SearchArgs s;
  const json* query = find(args, search::kQuery.data());
  if (query == nullptr) fail("missing argument q");
  if (!query->is_string()) fail("q must be a string");
  s.query = query->get<std::string>();
  const std::size_t length = code_points(s.query);
  if (length == 0 || length > search::kMaxQueryChars) {
    fail("q must have 1 to " + std::to_string(search::kMaxQueryChars) + " characters");
  }
  if (s.query.find('\0') != std::string::npos) fail("q must not contain NUL");
  if (s.query.find_first_not_of(" \t\r\n") == std::string::npos) fail("q must not be only spaces");
  if (const json* chat = find(args, search::kChat.data())) s.chat = id_arg(*chat, "chat");
  if (const json* before = find(args, search::kBefore.data())) {
    if (before->is_string()) s.before = parse_search_cursor(before->get_ref<const std::string&>());
    if (!s.before) fail("before must be the next of an earlier search answer");
  }
  if (const json* limit = find(args, search::kLimit.data())) {
    s.limit = static_cast<int>(int_arg(*limit, "limit", 1, search::kMaxLimit));
  }
  return s;
}

// A string argument that must be there.
const std::string& required_string(const json& args, const char* name) {
  const json* value = find(args, name);
  if (value == nullptr) fail(std::string("missing argument ") + name);
  if (!value->is_string()) fail(std::string(name) + " must be a string");
  return value->get_ref<const std::string&>();
}

bool is_app_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// Pushkeys are tokens of the push services (hex, base64, base64url, URLs):
// printable ASCII without spaces is all any of them uses.
bool is_pushkey_char(char c) { return c > ' ' && c < 0x7F; }

DeviceRegisterArgs device_register_args(const json& args) {
  namespace push = protocol::push;
  only(args, {"device", "app_id", "kind", "pushkey", "data"});
  DeviceRegisterArgs d;
  d.device = required_string(args, "device");
  if (!protocol::is_valid_device(d.device)) {
    fail("device must be 1 to " + std::to_string(protocol::kMaxDeviceBytes) + " characters of A-Z a-z 0-9 _ -");
  }
  d.app_id = required_string(args, "app_id");
  if (d.app_id.empty() || d.app_id.size() > push::kMaxAppIdBytes ||
      !std::all_of(d.app_id.begin(), d.app_id.end(), is_app_id_char)) {
    fail("app_id must be 1 to " + std::to_string(push::kMaxAppIdBytes) + " characters of A-Z a-z 0-9 . _ -");
  }
  d.kind = required_string(args, "kind");
  if (std::find(push::kKinds.begin(), push::kKinds.end(), d.kind) == push::kKinds.end()) {
    fail("kind must be fcm, apns or webpush");
  }
  d.pushkey = required_string(args, "pushkey");
  if (d.pushkey.empty() || d.pushkey.size() > push::kMaxPushkeyBytes ||
      !std::all_of(d.pushkey.begin(), d.pushkey.end(), is_pushkey_char)) {
    fail("pushkey must be 1 to " + std::to_string(push::kMaxPushkeyBytes) + " printable ASCII characters");
  }
  if (const json* data = find(args, "data")) {
    if (!data->is_object()) fail("data must be an object");
    json kept = *data;
    // A Matrix client puts its gateway's URL here; this platform's gateway is
    // the server's setting, so the URL is not kept (nor sent on, as Synapse
    // does not send it either).
    kept.erase("url");
    if (const auto format = kept.find("format"); format != kept.end() && *format != push::kFormatEventIdOnly) {
      fail("data.format must be \"event_id_only\" when given");
    }
    d.data = kept.dump(-1, ' ', false, json::error_handler_t::replace);
    if (d.data.size() > push::kMaxDataBytes) {
      fail("data must serialize to at most " + std::to_string(push::kMaxDataBytes) + " bytes");
    }
  }
  return d;
}

ChatMuteArgs chat_mute_args(const json& args) {
  only(args, {"chat", "until"});
  ChatMuteArgs m;
  m.chat = required_id(args, "chat");
  const json* until = find(args, "until");
  if (until == nullptr) fail("missing argument until");
  m.until = int_arg(*until, "until", 0, limits::kMaxTimeMs);
  return m;
}

struct OpName {
  const char* name;
  Op op;
};
constexpr OpName kOps[] = {{"dm.open", Op::dm_open},
                           {"chat.create", Op::chat_create},
                           {"chat.delete", Op::chat_delete},
                           {"chat.add", Op::chat_add},
                           {"chat.remove", Op::chat_remove},
                           {"chat.list", Op::chat_list},
                           {"chat.info", Op::chat_info},
                           {"history", Op::history},
                           {"sync", Op::sync},
                           {"presence.get", Op::presence_get},
                           {"user.block", Op::user_block},
                           {"user.unblock", Op::user_unblock},
                           {"user.blocked", Op::user_blocked},
                           {protocol::search::kOp.data(), Op::search},
                           {protocol::push::kOpDeviceRegister.data(), Op::device_register},
                           {protocol::push::kOpDeviceUnregister.data(), Op::device_unregister},
                           {protocol::push::kOpChatMute.data(), Op::chat_mute}};

RequestArgs parse_args(Op op, const json& args) {
  switch (op) {
    case Op::dm_open:
      only(args, {"user"});
      return DmOpenArgs{required_id(args, "user")};
    case Op::chat_create:
      only(args, {"title", "members"});
      return ChatCreateArgs{title_arg(args), find(args, "members") ? id_list(args, "members", limits::kMaxUsers, true)
                                                                   : std::vector<Id>{}};
    case Op::chat_delete:
    case Op::chat_info:
      only(args, {"chat"});
      return ChatArgs{required_id(args, "chat")};
    case Op::chat_add:
    case Op::chat_remove:
      only(args, {"chat", "users"});
      return ChatUsersArgs{required_id(args, "chat"), id_list(args, "users", limits::kMaxUsers, false)};
    case Op::chat_list: {
      only(args, {"after"});
      const json* after = find(args, "after");
      return ChatListArgs{after ? int_arg(*after, "after", 0, std::numeric_limits<std::int64_t>::max()) : 0};
    }
    case Op::history:
      return history_args(args);
    case Op::sync:
      return sync_args(args);
    case Op::presence_get:
      only(args, {"users"});
      return PresenceGetArgs{id_list(args, "users", limits::kMaxPresenceUsers, false)};
    case Op::user_block:
    case Op::user_unblock:
      only(args, {"user"});
      return UserArgs{required_id(args, "user")};
    case Op::user_blocked:
      only(args, {});
      return NoArgs{};
    case Op::search:
      return search_args(args);
    case Op::device_register:
      return device_register_args(args);
    case Op::device_unregister: {
      only(args, {"device"});
      const std::string& device = required_string(args, "device");
      if (!protocol::is_valid_device(device)) fail("device is not a device id");
      return DeviceUnregisterArgs{device};
    }
    case Op::chat_mute:
      return chat_mute_args(args);
  }
  fail("unknown op");
}

RequestFailure bad_request(std::optional<std::string> id, std::string message) {
  return RequestFailure{std::move(id), RequestError{RequestErrorCode::bad_request, std::move(message)}};
}

}  // namespace

std::string_view to_string(Op op) noexcept {
  for (const OpName& entry : kOps) {
    if (entry.op == op) return entry.name;
  }
  return "?";
}

// "<time µs>-<chat>-<seq>": the hit's place in the answer's order. Opaque to
// clients; they only hand it back.
std::string format_search_cursor(const storage::SearchCursor& cursor) {
  return std::to_string(cursor.created_at_us) + "-" + std::to_string(cursor.chat_id) + "-" + std::to_string(cursor.seq);
}

std::optional<storage::SearchCursor> parse_search_cursor(std::string_view text) {
  const auto first = text.find('-');
  const auto second = first == std::string_view::npos ? first : text.find('-', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  const std::string_view time = text.substr(0, first);
  std::int64_t us = 0;
  const auto [end, error] = std::from_chars(time.data(), time.data() + time.size(), us);
  if (error != std::errc{} || end != time.data() + time.size() || time.empty() || us < 0 ||
      (time.size() > 1 && time.front() == '0')) {
    return std::nullopt;
  }
  const auto chat = parse_id(text.substr(first + 1, second - first - 1));
  const auto seq = parse_id(text.substr(second + 1));
  if (!chat || !seq) return std::nullopt;
  return storage::SearchCursor{us, *chat, *seq};
}

std::variant<Request, RequestFailure> parse_request(std::string_view payload, std::size_t max_bytes) {
  if (payload.size() > max_bytes) {
    return bad_request(std::nullopt,
                       "request of " + std::to_string(payload.size()) + " bytes; at most " + std::to_string(max_bytes));
  }
  const auto parsed = parse_bounded_json(payload);
  if (!parsed) return bad_request(std::nullopt, "not JSON (or nested deeper than 16)");
  if (!parsed->is_object()) return bad_request(std::nullopt, "a request is a JSON object");
  const json& object = *parsed;

  const json* id = find(object, "id");
  if (id == nullptr || !id->is_string() || id->get_ref<const std::string&>().empty() ||
      id->get_ref<const std::string&>().size() > limits::kMaxRequestIdBytes) {
    return bad_request(std::nullopt,
                       "id must be a string of 1 to " + std::to_string(limits::kMaxRequestIdBytes) + " bytes");
  }
  Request request;
  request.id = id->get<std::string>();

  const json* op = find(object, "op");
  if (op == nullptr || !op->is_string()) return bad_request(request.id, "missing op");
  const auto known =
      std::find_if(std::begin(kOps), std::end(kOps), [&](const OpName& entry) { return *op == entry.name; });
  if (known == std::end(kOps)) return bad_request(request.id, "unknown op " + op->dump());
  request.op = known->op;

  static const json kNoArgs = json::object();
  const json* args = find(object, "args");
  if (args != nullptr && !args->is_object()) return bad_request(request.id, "args must be an object");
  try {
    request.args = parse_args(request.op, args != nullptr ? *args : kNoArgs);
  } catch (const ArgError& error) {
    return bad_request(request.id, error.message);
  }
  return request;
}

std::string ok_response(const std::optional<std::string>& id, std::string_view result_json) {
  std::string out = R"({"id":)";
  out += id ? json(*id).dump() : "null";
  out += R"(,"ok":true,"result":)";
  out += result_json;
  out += '}';
  return out;
}

std::string error_response(const std::optional<std::string>& id, const RequestError& error) {
  const json answer{{"id", id ? json(*id) : json(nullptr)},
                    {"ok", false},
                    {"error", {{"code", to_string(error.code)}, {"message", error.message}}}};
  // Messages quote what the client sent: invalid UTF-8 is replaced, never thrown.
  return answer.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace chat::bridge
