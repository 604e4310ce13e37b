// /v1/admin/...: users, chats and members, history and moderation, stats.
// Every route needs the admin token (Routes checks it before the handler).
#include "chat/admin/json_records.hpp"
#include "chat/admin/pagination.hpp"
#include "chat/admin/request_json.hpp"
#include "chat/admin/validation.hpp"
#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "chat/protocol/identifiers.hpp"
#include "chat/storage/limits.hpp"
#include "media_collector.hpp"
#include "server.hpp"

#include <httplib.h>

#include <algorithm>
#include <initializer_list>
#include <set>

namespace chat::admin {
namespace {

using storage::AccountStatus;
using storage::ChatId;
using storage::UserAccount;
using storage::UserId;

constexpr std::size_t kMaxMembersPerRequest = 256;
constexpr int kMaxStatsDays = 90;

std::optional<std::string_view> as_view(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  return std::string_view(*value);
}

// Fetches limit + 1 rows: the extra one only says whether there is a next page.
template <class Row, class Key>
nlohmann::json page(std::vector<Row> rows, int limit, std::string_view list, Key key_of,
                    nlohmann::json (*to_json)(const Row&)) {
  std::optional<std::string> next;
  if (rows.size() > static_cast<std::size_t>(limit)) {
    rows.resize(static_cast<std::size_t>(limit));
    next = encode_cursor(list, key_of(rows.back()));
  }
  nlohmann::json items = nlohmann::json::array();
  for (const Row& row : rows) items.push_back(to_json(row));
  return page_json(std::move(items), next);
}

UserAccount existing_user(storage::Store& store, UserId id) {
  auto user = store.users().find(id);
  if (!user) throw not_found("user " + std::to_string(id) + " does not exist");
  return std::move(*user);
}

// A user that may take part in something (a member, an owner, a token).
UserAccount live_user(storage::Store& store, UserId id, std::string_view field) {
  auto user = store.users().find(id);
  if (!user)
    throw ApiError(ErrorCode::not_found, std::string(field) + ": user " + std::to_string(id) + " does not exist",
                   std::string(field));
  if (user->deleted()) throw conflict(field, "user " + std::to_string(id) + " is deleted");
  return std::move(*user);
}

storage::ChatSummary existing_chat(storage::Store& store, ChatId id) {
  auto chat = store.chats().summary(id);
  if (!chat) throw not_found("chat " + std::to_string(id) + " does not exist");
  return std::move(*chat);
}

UserAccount changed_user(const storage::AccountChange& change, UserId id) {
  if (change.status == AccountStatus::not_found) throw not_found("user " + std::to_string(id) + " does not exist");
  if (change.status == AccountStatus::deleted) {
    throw ApiError(ErrorCode::conflict, "user " + std::to_string(id) + " is deleted and cannot be changed");
  }
  return *change.user;
}

void check_status(AccountStatus status, UserId id) {
  if (status == AccountStatus::not_found) throw not_found("user " + std::to_string(id) + " does not exist");
  if (status == AccountStatus::deleted) {
    throw ApiError(ErrorCode::conflict, "user " + std::to_string(id) + " is deleted and cannot be changed");
  }
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json user_item(const UserAccount& user) { return user_json(user); }
nlohmann::json chat_item(const storage::ChatSummary& chat) { return chat_json(chat); }
nlohmann::json member_item(const storage::MemberProfile& member) { return member_json(member); }
nlohmann::json message_item(const storage::StoredMessage& message) { return message_json(message); }

// ---- users -------------------------------------------------------------------------

void create_user(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  JsonBody body = JsonBody::parse(request.body);
  storage::NewUser user;
  user.username = normalize_username(body.required_string("username"));
  if (auto phone = body.string("phone")) {
    validate_phone(*phone);
    user.phone = std::move(*phone);
  }
  if (auto name = body.string("display_name")) {
    validate_display_name(*name);
    user.display_name = std::move(*name);
  }
  const auto password = body.string("password");
  if (password) validate_password(*password);
  body.finish();
  if (password) user.password_hash = credentials::hash_password(*password, context.config.password_iterations);

  auto store = context.pool.acquire();
  const storage::User created = store->users().create(user);
  response.set_header("Location", "/v1/admin/users/" + std::to_string(created.id));
  send_json(response, 201, user_json(existing_user(*store, created.id)));
}

void list_users(Context& context, const Request& request, Response& response) {
  allow_query(request, {"limit", "cursor", "username_prefix", "phone_prefix"});
  const int limit = parse_limit(as_view(query_param(request, "limit")));
  const auto cursor = query_param(request, "cursor");
  const auto username_prefix = query_param(request, "username_prefix");
  const auto phone_prefix = query_param(request, "phone_prefix");
  if (username_prefix && phone_prefix) throw bad_request("phone_prefix", "search by one prefix at a time");
  auto store = context.pool.acquire();

  if (username_prefix) {
    const std::string prefix = normalize_username_prefix(*username_prefix);
    const std::string after = cursor ? decode_cursor(*cursor, "users-by-username") : std::string();
    send_json(response, 200,
              page(
                  store->users().search_by_username(prefix, after, limit + 1), limit, "users-by-username",
                  [](const UserAccount& u) { return u.user.username; }, user_item));
    return;
  }
  if (phone_prefix) {
    validate_phone_prefix(*phone_prefix);
    const std::string after = cursor ? decode_cursor(*cursor, "users-by-phone") : std::string();
    send_json(response, 200,
              page(
                  store->users().search_by_phone(*phone_prefix, after, limit + 1), limit, "users-by-phone",
                  [](const UserAccount& u) { return u.user.phone.value_or(""); }, user_item));
    return;
  }
  const UserId after = cursor ? decode_integer_cursor(*cursor, "users") : 0;
  send_json(response, 200,
            page(
                store->users().list(after, limit + 1), limit, "users",
                [](const UserAccount& u) { return std::to_string(u.user.id); }, user_item));
}

void get_user(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  auto store = context.pool.acquire();
  send_json(response, 200, user_json(existing_user(*store, id)));
}

void get_user_by_username(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const std::string name = protocol::fold_username(path_param(request, 1));
  auto store = context.pool.acquire();
  const auto user = protocol::is_valid_username(name) ? store->users().find_by_username(name) : std::nullopt;
  if (!user) throw not_found("user \"" + name + "\" does not exist");
  send_json(response, 200, user_json(*user));
}

void update_user(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  JsonBody body = JsonBody::parse(request.body);
  storage::UserPatch patch;
  if (auto name = body.string("display_name")) {
    validate_display_name(*name);
    patch.display_name = std::move(*name);
  }
  if (auto phone = body.nullable_string("phone")) {
    if (*phone) validate_phone(**phone);
    patch.phone = std::move(*phone);
  }
  patch.disabled = body.boolean("disabled");
  if (body.has("username")) throw bad_request("username", "cannot be changed (it is the sign-in name)");
  body.finish();
  auto store = context.pool.acquire();
  send_json(response, 200, user_json(changed_user(store->users().update(id, patch), id)));
}

void set_disabled(Context& context, const Request& request, Response& response, bool disabled) {
  allow_query(request, {});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  JsonBody::parse(request.body).finish();
  storage::UserPatch patch;
  patch.disabled = disabled;
  auto store = context.pool.acquire();
  send_json(response, 200, user_json(changed_user(store->users().update(id, patch), id)));
}

void delete_user(Context& context, const Request& request, Response& response) {
  allow_query(request, {"withhold_messages"});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  const auto withhold = query_param(request, "withhold_messages");
  const bool withhold_messages = withhold ? parse_bool(*withhold, "withhold_messages") : false;
  auto store = context.pool.acquire();
  const storage::UserDeletion deletion = store->users().delete_account(id, withhold_messages);
  check_status(deletion.status, id);
  // The blobs of its released uploads go now, unless someone else uploaded the same content.
  std::size_t blobs_removed = 0;
  try {
    blobs_removed = remove_unused_blobs(context, *store, deletion.released_digests);
  } catch (const std::exception& error) {
    context.log.error(std::string("removing a deleted user's blobs (the collector will retry): ") + error.what());
  }
  context.metrics.gc_removed(0, blobs_removed);
  send_json(response, 200,
            {{"user", user_json(*deletion.user)},
             {"groups_left", deletion.groups_left},
             {"groups_handed_over", deletion.groups_handed_over},
             {"groups_closed", deletion.groups_closed},
             {"messages_withheld", deletion.messages_withheld},
             {"media_released", deletion.media_released}});
}

void set_password(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  JsonBody body = JsonBody::parse(request.body);
  const std::string password = body.required_string("password");
  validate_password(password);
  body.finish();
  const std::string hash = credentials::hash_password(password, context.config.password_iterations);
  auto store = context.pool.acquire();
  check_status(store->users().set_password_hash(id, hash), id);
  response.status = 204;
}

void remove_password(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  auto store = context.pool.acquire();
  check_status(store->users().set_password_hash(id, std::nullopt), id);
  response.status = 204;
}

void mint_token(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  JsonBody body = JsonBody::parse(request.body);
  const auto device = body.string("device");
  if (device) validate_device(*device);
  const std::int64_t ttl =
      body.integer("ttl_s", 60, context.config.token_max_ttl_s).value_or(context.config.token_default_ttl_s);
  body.finish();
  auto store = context.pool.acquire();
  const UserAccount user = existing_user(*store, id);
  if (user.deleted()) throw ApiError(ErrorCode::conflict, "user " + std::to_string(id) + " is deleted");
  if (user.user.disabled) {
    throw ApiError(ErrorCode::conflict,
                   "user " + std::to_string(id) + " is disabled: the broker would refuse the token");
  }
  const std::int64_t issued = now_seconds();
  const std::int64_t expires = issued + ttl;
  const std::string token =
      credentials::mint_token(context.secrets.token_secret, id, user.user.username, issued, expires);
  nlohmann::json answer{{"token", token},
                        {"uid", id},
                        {"username", user.user.username},
                        {"issued_at", issued * 1000},
                        {"expires_at", expires * 1000}};
  if (device) {
    answer["device"] = *device;
    answer["client_id"] = std::to_string(id) + ":" + *device;
  }
  send_json(response, 201, answer);
}

void user_chats(Context& context, const Request& request, Response& response) {
  allow_query(request, {"limit", "cursor"});
  const UserId id = parse_path_id(path_param(request, 1), "user");
  const int limit = parse_limit(as_view(query_param(request, "limit")));
  const auto cursor = query_param(request, "cursor");
  const ChatId after = cursor ? decode_integer_cursor(*cursor, "user-chats") : 0;
  auto store = context.pool.acquire();
  existing_user(*store, id);
  send_json(response, 200,
            page(
                store->chats().list_of_user(id, after, limit + 1), limit, "user-chats",
                [](const storage::ChatSummary& c) { return std::to_string(c.chat.id); }, chat_item));
}

// ---- chats ---------------------------------------------------------------------------

void list_chats(Context& context, const Request& request, Response& response) {
  allow_query(request, {"limit", "cursor", "kind"});
  const int limit = parse_limit(as_view(query_param(request, "limit")));
  const auto cursor = query_param(request, "cursor");
  std::optional<storage::ChatKind> kind;
  if (const auto text = query_param(request, "kind")) {
    kind = storage::parse_chat_kind(*text);
    if (!kind) throw bad_request("kind", "must be group or direct");
  }
  const ChatId after = cursor ? decode_integer_cursor(*cursor, "chats") : 0;
  auto store = context.pool.acquire();
  send_json(response, 200,
            page(
                store->chats().list(after, limit + 1, kind), limit, "chats",
                [](const storage::ChatSummary& c) { return std::to_string(c.chat.id); }, chat_item));
}

void create_chat(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  JsonBody body = JsonBody::parse(request.body);
  const std::string kind = body.string("kind").value_or("group");
  auto members = body.ids("members", kMaxMembersPerRequest).value_or(std::vector<std::int64_t>{});
  auto store_lease = [&] { return context.pool.acquire(); };

  if (kind == "direct") {
    if (body.has("title")) throw bad_request("title", "direct chats have no title");
    if (body.has("owner")) throw bad_request("owner", "direct chats have no owner");
    body.finish();
    if (members.size() != 2 || members[0] == members[1]) {
      throw bad_request("members", "a direct chat has exactly two different users");
    }
    auto store = store_lease();
    live_user(*store, members[0], "members");
    live_user(*store, members[1], "members");
    const storage::Chat chat = store->chats().open_direct(members[0], members[1]);
    response.set_header("Location", "/v1/admin/chats/" + std::to_string(chat.id));
    send_json(response, 201, chat_json(existing_chat(*store, chat.id)));
    return;
  }
  if (kind != "group") throw bad_request("kind", "must be group or direct");
  const std::string title = body.required_string("title");
  validate_title(title);
  const auto owner = body.integer("owner", 1, INT64_MAX);
  if (!owner) throw bad_request("owner", "is required (a user id)");
  body.finish();
  auto store = store_lease();
  live_user(*store, *owner, "owner");
  for (const std::int64_t member : std::set<std::int64_t>(members.begin(), members.end())) {
    live_user(*store, member, "members");
  }
  const storage::Chat chat = store->chats().create_group(*owner, title, members);
  response.set_header("Location", "/v1/admin/chats/" + std::to_string(chat.id));
  send_json(response, 201, chat_json(existing_chat(*store, chat.id)));
}

void get_chat(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const ChatId id = parse_path_id(path_param(request, 1), "chat");
  auto store = context.pool.acquire();
  send_json(response, 200, chat_json(existing_chat(*store, id)));
}

void list_members(Context& context, const Request& request, Response& response) {
  allow_query(request, {"limit", "cursor"});
  const ChatId id = parse_path_id(path_param(request, 1), "chat");
  const int limit = parse_limit(as_view(query_param(request, "limit")));
  const auto cursor = query_param(request, "cursor");
  const UserId after = cursor ? decode_integer_cursor(*cursor, "members") : 0;
  auto store = context.pool.acquire();
  existing_chat(*store, id);
  send_json(response, 200,
            page(
                store->chats().member_page(id, after, limit + 1), limit, "members",
                [](const storage::MemberProfile& m) { return std::to_string(m.member.user_id); }, member_item));
}

void refuse_unavailable_chat(const storage::ChatSummary& chat) {
  if (chat.chat.deleted()) throw ApiError(ErrorCode::conflict, "chat " + std::to_string(chat.chat.id) + " is deleted");
  if (chat.chat.kind == storage::ChatKind::direct) {
    throw ApiError(ErrorCode::conflict, "a direct chat keeps its two members");
  }
}

void add_member(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const ChatId id = parse_path_id(path_param(request, 1), "chat");
  JsonBody body = JsonBody::parse(request.body);
  const auto user = body.integer("user", 1, INT64_MAX);
  if (!user) throw bad_request("user", "is required (a user id)");
  body.finish();
  auto store = context.pool.acquire();
  const storage::ChatSummary chat = existing_chat(*store, id);
  refuse_unavailable_chat(chat);
  live_user(*store, *user, "user");
  const storage::MembershipChange change = store->chats().add_member(id, *user);
  if (change == storage::MembershipChange::chat_unavailable) refuse_unavailable_chat(existing_chat(*store, id));
  if (change == storage::MembershipChange::group_full) {
    throw conflict("user", "chat " + std::to_string(id) + " has " + std::to_string(storage::kMaxGroupMembers) +
                               " members, the most a group may have");
  }
  const bool added = change == storage::MembershipChange::changed;
  send_json(response, added ? 201 : 200, {{"chat", id}, {"uid", *user}, {"added", added}});
}

void remove_member(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const ChatId id = parse_path_id(path_param(request, 1), "chat");
  const UserId user = parse_path_id(path_param(request, 2), "user");
  auto store = context.pool.acquire();
  const storage::ChatSummary chat = existing_chat(*store, id);
  refuse_unavailable_chat(chat);
  // Storage decides under the chat's lock whether `user` owns it (the owner may change meanwhile).
  const storage::MembershipChange change = store->chats().remove_member(id, user);
  if (change == storage::MembershipChange::chat_unavailable) refuse_unavailable_chat(existing_chat(*store, id));
  if (change == storage::MembershipChange::owner) {
    throw ApiError(ErrorCode::conflict, "user " + std::to_string(user) + " owns chat " + std::to_string(id) +
                                            "; an owner cannot be removed (disable or delete the account instead)");
  }
  if (change == storage::MembershipChange::unchanged) {
    throw not_found("user " + std::to_string(user) + " is not a member of chat " + std::to_string(id));
  }
  send_json(response, 200, {{"chat", id}, {"uid", user}, {"removed", true}});
}

// ---- messages ----------------------------------------------------------------------------

void history(Context& context, const Request& request, Response& response) {
  allow_query(request, {"limit", "cursor", "after_seq", "before_seq"});
  const ChatId id = parse_path_id(path_param(request, 1), "chat");
  const int limit = parse_limit(as_view(query_param(request, "limit")));
  const auto cursor = query_param(request, "cursor");
  const auto after_text = query_param(request, "after_seq");
  const auto before_text = query_param(request, "before_seq");
  if ((cursor ? 1 : 0) + (after_text ? 1 : 0) + (before_text ? 1 : 0) > 1) {
    throw bad_request("cursor", "give one of cursor, after_seq, before_seq");
  }
  bool descending = false;
  storage::Seq from = 0;
  if (after_text) from = parse_integer(*after_text, "after_seq", 0, INT64_MAX);
  if (before_text) {
    descending = true;
    from = parse_integer(*before_text, "before_seq", 1, INT64_MAX);
  }
  if (cursor) {
    // Which direction a cursor continues is part of it.
    try {
      from = decode_integer_cursor(*cursor, "messages-asc");
    } catch (const ApiError&) {
      from = decode_integer_cursor(*cursor, "messages-desc");
      descending = true;
    }
  }
  auto store = context.pool.acquire();
  existing_chat(*store, id);
  const auto seq_of = [](const storage::StoredMessage& m) { return std::to_string(m.seq); };
  if (descending) {
    send_json(response, 200,
              page(store->messages().history(id, storage::HistoryAnchor::before(from), limit + 1), limit,
                   "messages-desc", seq_of, message_item));
  } else {
    send_json(response, 200,
              page(store->messages().history(id, storage::HistoryAnchor::after(from), limit + 1), limit, "messages-asc",
                   seq_of, message_item));
  }
}

void moderate(Context& context, const Request& request, Response& response) {
  allow_query(request, {});
  const ChatId id = parse_path_id(path_param(request, 1), "chat");
  const storage::Seq seq = parse_path_id(path_param(request, 2), "message");
  auto store = context.pool.acquire();
  const auto message = store->messages().moderate_delete_message(id, seq);
  if (!message) throw not_found("chat " + std::to_string(id) + " has no message " + std::to_string(seq));
  context.log.info("moderation: chat " + std::to_string(id) + " message " + std::to_string(seq) + " deleted");
  send_json(response, 200, message_json(*message));
}

// ---- stats ---------------------------------------------------------------------------------

void stats(Context& context, const Request& request, Response& response) {
  allow_query(request, {"days"});
  const auto days_text = query_param(request, "days");
  const int days = days_text ? static_cast<int>(parse_integer(*days_text, "days", 1, kMaxStatsDays)) : 7;
  auto store = context.pool.acquire();
  send_json(response, 200, stats_json(store->stats(days)));
}

}  // namespace

void register_admin_routes(Routes& routes, Context& context) {
  using R = const Request&;
  using W = Response&;
  Context* c = &context;
  constexpr auto admin = Access::admin;
  const auto bind = [c](void (*fn)(Context&, R, W)) {
    return [c, fn](R request, W response) { fn(*c, request, response); };
  };

  routes.post("/v1/admin/users", "/v1/admin/users", admin, bind(create_user));
  routes.get("/v1/admin/users", "/v1/admin/users", admin, bind(list_users));
  routes.get("/v1/admin/users/by-username/{username}", R"(/v1/admin/users/by-username/([^/]+))", admin,
             bind(get_user_by_username));
  routes.get("/v1/admin/users/{id}", R"(/v1/admin/users/([^/]+))", admin, bind(get_user));
  routes.patch("/v1/admin/users/{id}", R"(/v1/admin/users/([^/]+))", admin, bind(update_user));
  routes.del("/v1/admin/users/{id}", R"(/v1/admin/users/([^/]+))", admin, bind(delete_user));
  routes.post("/v1/admin/users/{id}/disable", R"(/v1/admin/users/([^/]+)/disable)", admin,
              [c](R request, W response) { set_disabled(*c, request, response, true); });
  routes.post("/v1/admin/users/{id}/enable", R"(/v1/admin/users/([^/]+)/enable)", admin,
              [c](R request, W response) { set_disabled(*c, request, response, false); });
  routes.put("/v1/admin/users/{id}/password", R"(/v1/admin/users/([^/]+)/password)", admin, bind(set_password));
  routes.del("/v1/admin/users/{id}/password", R"(/v1/admin/users/([^/]+)/password)", admin, bind(remove_password));
  routes.post("/v1/admin/users/{id}/tokens", R"(/v1/admin/users/([^/]+)/tokens)", admin, bind(mint_token));
  routes.get("/v1/admin/users/{id}/chats", R"(/v1/admin/users/([^/]+)/chats)", admin, bind(user_chats));

  routes.get("/v1/admin/chats", "/v1/admin/chats", admin, bind(list_chats));
  routes.post("/v1/admin/chats", "/v1/admin/chats", admin, bind(create_chat));
  routes.get("/v1/admin/chats/{id}", R"(/v1/admin/chats/([^/]+))", admin, bind(get_chat));
  routes.get("/v1/admin/chats/{id}/members", R"(/v1/admin/chats/([^/]+)/members)", admin, bind(list_members));
  routes.post("/v1/admin/chats/{id}/members", R"(/v1/admin/chats/([^/]+)/members)", admin, bind(add_member));
  routes.del("/v1/admin/chats/{id}/members/{uid}", R"(/v1/admin/chats/([^/]+)/members/([^/]+))", admin,
             bind(remove_member));
  routes.get("/v1/admin/chats/{id}/messages", R"(/v1/admin/chats/([^/]+)/messages)", admin, bind(history));
  routes.del("/v1/admin/chats/{id}/messages/{seq}", R"(/v1/admin/chats/([^/]+)/messages/([^/]+))", admin,
             bind(moderate));

  routes.get("/v1/admin/stats", "/v1/admin/stats", admin, bind(stats));
}

}  // namespace chat::admin
