#include "commands.hpp"

#include "output.hpp"

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

namespace chat::chatctl {
namespace {

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

// A user named by id or by username.
std::string user_id(Api& api, const std::string& user) {
  if (all_digits(user)) return user;
  const json found = api.get("/v1/admin/users/by-username/" + encode_segment(user));
  return std::to_string(found["id"].get<std::int64_t>());
}

std::string chat_id(const std::string& chat) {
  if (!all_digits(chat)) throw UsageError("a chat is named by its id (a number), not \"" + chat + "\"");
  return chat;
}

std::string read_password(const Args& args) {
  std::string password;
  if (const auto file = args.value("password-file")) {
    std::ifstream in(*file);
    if (!in) throw UsageError("cannot read " + *file);
    std::getline(in, password);
  } else if (args.has("password-stdin")) {
    std::getline(std::cin, password);
  } else {
    throw UsageError("give the password with --password-stdin or --password-file (never on the command line)");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

void need(const Args& args, std::size_t count, const char* what) {
  if (args.positional.size() != count) throw UsageError(std::string("expected ") + what);
}

// Walks every page of a list (or the first only) and hands each item on.
void each_item(Api& api, const std::string& path_with_query, bool all, std::optional<std::string> cursor,
               const std::function<void(const json&)>& item) {
  for (;;) {
    std::string path = path_with_query;
    if (cursor) path += (path.find('?') == std::string::npos ? "?" : "&") + std::string("cursor=") + *cursor;
    const json page = api.get(path);
    for (const json& entry : page["items"]) item(entry);
    if (!all || page["next"].is_null()) {
      if (!page["next"].is_null()) std::cerr << "(more: --cursor " << page["next"].get<std::string>() << ")\n";
      return;
    }
    cursor = page["next"].get<std::string>();
  }
}

}  // namespace

std::vector<Command> commands() {
  std::vector<Command> list;
  list.push_back({"add-user",
                  "add-user USERNAME [--phone E164] [--display-name NAME] [--password-stdin | --password-file FILE]",
                  "Creates an account. The username is 3-32 of a-z 0-9 _ . (folded to lower case). Without a password\n"
                  "the user signs in with tokens only (see mint-token).",
                  {{"phone", true, "E.164 number, e.g. +4915112345678"},
                   {"display-name", true, "the name shown to others"},
                   {"password-stdin", false, "read the password from the first line of stdin"},
                   {"password-file", true, "read the password from the first line of FILE"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "USERNAME");
                    json body{{"username", args.positional[0]}};
                    if (auto phone = args.value("phone")) body["phone"] = *phone;
                    if (auto name = args.value("display-name")) body["display_name"] = *name;
                    if (args.has("password-stdin") || args.has("password-file")) body["password"] = read_password(args);
                    return emit(global, api.post("/v1/admin/users", body), print_user);
                  }});
  list.push_back({"show-user",
                  "show-user USER",
                  "Shows an account. USER is an id or a username.",
                  {},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "USER");
                    return emit(global, api.get("/v1/admin/users/" + user_id(api, args.positional[0])), print_user);
                  }});
  list.push_back(
      {"list-users",
       "list-users [--username-prefix P | --phone-prefix +P] [--limit N] [--cursor C] [--all]",
       "Lists accounts by id, or those whose username or phone starts with a prefix.",
       {{"username-prefix", true, "only usernames starting with this"},
        {"phone-prefix", true, "only phones starting with this (+ and digits)"},
        {"limit", true, "per page (1-200, default 50)"},
        {"cursor", true, "continue after a previous page"},
        {"all", false, "follow every page"}},
       [](Api& api, const Args& args, const Global& global) {
         need(args, 0, "no arguments");
         const std::string path = "/v1/admin/users" + query({{"username_prefix", args.value("username-prefix")},
                                                             {"phone_prefix", args.value("phone-prefix")},
                                                             {"limit", args.value("limit")}});
         json items = json::array();
         each_item(api, path, args.has("all"), args.value("cursor"), [&](const json& user) { items.push_back(user); });
         return emit(global, items, [](const json& users) {
           for (const json& user : users) {
             std::cout << text_of(user["id"]) << '\t' << text_of(user["username"]) << '\t' << text_of(user["phone"])
                       << '\t'
                       << (user["deleted"].get<bool>()    ? "deleted"
                           : user["disabled"].get<bool>() ? "disabled"
                                                          : "active")
                       << '\n';
           }
         });
       }});
  list.push_back({"update-user",
                  "update-user USER [--display-name NAME] [--phone E164 | --clear-phone]",
                  "Changes an account's display name or phone.",
                  {{"display-name", true, "the new display name"},
                   {"phone", true, "the new phone"},
                   {"clear-phone", false, "remove the phone"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "USER");
                    json body = json::object();
                    if (auto name = args.value("display-name")) body["display_name"] = *name;
                    if (auto phone = args.value("phone")) body["phone"] = *phone;
                    if (args.has("clear-phone")) body["phone"] = nullptr;
                    return emit(global, api.patch("/v1/admin/users/" + user_id(api, args.positional[0]), body),
                                print_user);
                  }});
  list.push_back({"set-password",
                  "set-password USER (--password-stdin | --password-file FILE)",
                  "Sets an account's password (8 to 1024 bytes).",
                  {{"password-stdin", false, "read the password from the first line of stdin"},
                   {"password-file", true, "read the password from the first line of FILE"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "USER");
                    const std::string id = user_id(api, args.positional[0]);
                    api.put("/v1/admin/users/" + id + "/password", {{"password", read_password(args)}});
                    if (!global.json_output) std::cout << "password set for user " << id << '\n';
                    return 0;
                  }});
  for (const bool disable : {true, false}) {
    list.push_back(
        {disable ? "disable-user" : "enable-user",
         disable ? "disable-user USER" : "enable-user USER",
         disable ? "Disables an account: the broker refuses its sign-ins (password and tokens)."
                 : "Enables a disabled account again.",
         {},
         [disable](Api& api, const Args& args, const Global& global) {
           need(args, 1, "USER");
           const std::string id = user_id(api, args.positional[0]);
           return emit(global, api.post("/v1/admin/users/" + id + (disable ? "/disable" : "/enable"), json::object()),
                       print_user);
         }});
  }
  list.push_back(
      {"delete-user",
       "delete-user USER --yes [--withhold-messages]",
       "Deletes an account (docs/admin-api.md says what happens to its data): it is anonymised and\n"
       "disabled, leaves its groups (owned groups pass to the earliest member), loses devices and\n"
       "unshared uploads. Its messages stay in the chats unless --withhold-messages.",
       {{"yes", false, "confirm"}, {"withhold-messages", false, "also withhold the content of every message it sent"}},
       [](Api& api, const Args& args, const Global& global) {
         need(args, 1, "USER");
         if (!args.has("yes")) throw UsageError("deleting an account cannot be undone: add --yes");
         const std::string id = user_id(api, args.positional[0]);
         const json answer =
             api.del("/v1/admin/users/" + id + (args.has("withhold-messages") ? "?withhold_messages=true" : ""));
         return emit(global, answer, [](const json& a) {
           std::cout << "deleted user " << text_of(a["user"]["id"]) << " (now " << text_of(a["user"]["username"])
                     << "): left " << text_of(a["groups_left"]) << " groups, handed over "
                     << text_of(a["groups_handed_over"]) << ", closed " << text_of(a["groups_closed"])
                     << ", messages withheld " << text_of(a["messages_withheld"]) << ", uploads released "
                     << text_of(a["media_released"]) << '\n';
         });
       }});
  list.push_back({"mint-token",
                  "mint-token USER [--device DEVICE] [--ttl SECONDS]",
                  "Mints a sign-in token (JWT HS256, the format the broker accepts) and prints it alone\n"
                  "on stdout, so that TOKEN=$(chatctl mint-token alice) works.",
                  {{"device", true, "the device id the client will use (client id {uid}:{device})"},
                   {"ttl", true, "lifetime in seconds (default: the server's, 30 days)"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "USER");
                    json body = json::object();
                    if (auto device = args.value("device")) body["device"] = *device;
                    if (auto ttl = args.value("ttl")) {
                      if (!all_digits(*ttl)) throw UsageError("--ttl takes seconds");
                      body["ttl_s"] = std::stoll(*ttl);
                    }
                    const json answer =
                        api.post("/v1/admin/users/" + user_id(api, args.positional[0]) + "/tokens", body);
                    return emit(global, answer, [](const json& a) {
                      std::cout << a["token"].get<std::string>() << std::endl;  // before the note on stderr
                      std::cerr << "uid " << text_of(a["uid"]) << " (" << text_of(a["username"]) << "), expires "
                                << format_time(a["expires_at"]) << '\n';
                    });
                  }});
  list.push_back({"create-group",
                  "create-group TITLE --owner USER [--member USER]...",
                  "Creates a group owned by USER with the given members.",
                  {{"owner", true, "the owner (id or username)"}, {"member", true, "a member (repeatable)"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "TITLE");
                    const auto owner = args.value("owner");
                    if (!owner) throw UsageError("--owner is required");
                    json members = json::array();
                    for (const auto& member : args.values("member"))
                      members.push_back(std::stoll(user_id(api, member)));
                    const json body{{"kind", "group"},
                                    {"title", args.positional[0]},
                                    {"owner", std::stoll(user_id(api, *owner))},
                                    {"members", members}};
                    return emit(global, api.post("/v1/admin/chats", body), print_chat);
                  }});
  list.push_back({"add-member",
                  "add-member CHAT USER",
                  "Adds a user to a group.",
                  {},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 2, "CHAT USER");
                    const json answer = api.post("/v1/admin/chats/" + chat_id(args.positional[0]) + "/members",
                                                 {{"user", std::stoll(user_id(api, args.positional[1]))}});
                    return emit(global, answer, [](const json& a) {
                      std::cout << "user " << text_of(a["uid"])
                                << (a["added"].get<bool>() ? " added to" : " was already in") << " chat "
                                << text_of(a["chat"]) << '\n';
                    });
                  }});
  list.push_back({"remove-member",
                  "remove-member CHAT USER",
                  "Removes a user from a group (not its owner).",
                  {},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 2, "CHAT USER");
                    const json answer = api.del("/v1/admin/chats/" + chat_id(args.positional[0]) + "/members/" +
                                                user_id(api, args.positional[1]));
                    return emit(global, answer, [](const json& a) {
                      std::cout << "user " << text_of(a["uid"]) << " removed from chat " << text_of(a["chat"]) << '\n';
                    });
                  }});
  list.push_back(
      {"list-chats",
       "list-chats [--user USER] [--kind group|direct] [--limit N] [--cursor C] [--all]",
       "Lists chats by id, or the chats of one user.",
       {{"user", true, "only this user's chats"},
        {"kind", true, "group or direct"},
        {"limit", true, "per page (1-200, default 50)"},
        {"cursor", true, "continue after a previous page"},
        {"all", false, "follow every page"}},
       [](Api& api, const Args& args, const Global& global) {
         need(args, 0, "no arguments");
         std::string path;
         if (const auto user = args.value("user")) {
           if (args.has("kind")) throw UsageError("--kind and --user do not combine");
           path = "/v1/admin/users/" + user_id(api, *user) + "/chats" + query({{"limit", args.value("limit")}});
         } else {
           path = "/v1/admin/chats" + query({{"kind", args.value("kind")}, {"limit", args.value("limit")}});
         }
         json items = json::array();
         each_item(api, path, args.has("all"), args.value("cursor"), [&](const json& chat) { items.push_back(chat); });
         return emit(global, items, [](const json& chats) {
           for (const json& chat : chats) {
             std::cout << text_of(chat["id"]) << '\t' << text_of(chat["kind"]) << '\t' << text_of(chat["title"]) << '\t'
                       << text_of(chat["member_count"]) << " members\t" << text_of(chat["last_seq"]) << " messages\n";
           }
         });
       }});
  list.push_back({"show-chat",
                  "show-chat CHAT [--messages N]",
                  "Shows a chat, all its members and (with --messages) its newest N messages.",
                  {{"messages", true, "also show the newest N messages (1-200)"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "CHAT");
                    const std::string id = chat_id(args.positional[0]);
                    json answer{{"chat", api.get("/v1/admin/chats/" + id)}, {"members", json::array()}};
                    each_item(api, "/v1/admin/chats/" + id + "/members?limit=200", true, std::nullopt,
                              [&](const json& member) { answer["members"].push_back(member); });
                    if (const auto count = args.value("messages")) {
                      json page = api.get("/v1/admin/chats/" + id +
                                          "/messages?before_seq=9223372036854775807&limit=" + encode_segment(*count));
                      json messages = json::array();
                      for (auto it = page["items"].rbegin(); it != page["items"].rend(); ++it) messages.push_back(*it);
                      answer["messages"] = messages;
                    }
                    return emit(global, answer, [](const json& a) {
                      print_chat(a["chat"]);
                      std::cout << "members:\n";
                      for (const json& member : a["members"]) {
                        std::cout << "  " << text_of(member["uid"]) << '\t' << text_of(member["username"]) << '\t'
                                  << text_of(member["role"]) << "\tread " << text_of(member["read_seq"]) << '\n';
                      }
                      if (a.contains("messages")) {
                        std::cout << "messages:\n";
                        for (const json& message : a["messages"]) {
                          std::cout << "  ";
                          print_message(message);
                        }
                      }
                    });
                  }});
  list.push_back({"history",
                  "history CHAT [--after-seq N | --before-seq N] [--limit N]",
                  "Prints a page of a chat's messages: from the start (or after N), or newest first below N.",
                  {{"after-seq", true, "messages after this seq, oldest first"},
                   {"before-seq", true, "messages below this seq, newest first"},
                   {"limit", true, "1-200 (default 50)"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 1, "CHAT");
                    const json page = api.get("/v1/admin/chats/" + chat_id(args.positional[0]) + "/messages" +
                                              query({{"after_seq", args.value("after-seq")},
                                                     {"before_seq", args.value("before-seq")},
                                                     {"limit", args.value("limit")}}));
                    return emit(global, page, [](const json& p) {
                      for (const json& message : p["items"]) print_message(message);
                      if (!p["next"].is_null()) std::cerr << "(more)\n";
                    });
                  }});
  list.push_back({"delete-message",
                  "delete-message CHAT SEQ",
                  "Moderation: withholds a message's content; it keeps its place and shows as deleted.",
                  {},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 2, "CHAT SEQ");
                    if (!all_digits(args.positional[1])) throw UsageError("SEQ is a number");
                    const json answer =
                        api.del("/v1/admin/chats/" + chat_id(args.positional[0]) + "/messages/" + args.positional[1]);
                    return emit(global, answer, [](const json& a) {
                      std::cout << "message " << text_of(a["seq"]) << " of chat " << text_of(a["chat"]) << " deleted\n";
                    });
                  }});
  list.push_back({"stats",
                  "stats [--days N] [--watch [--interval SECONDS] [--count N]]",
                  "Shows users, users online, chats, messages and messages per day. --watch prints one line per\n"
                  "interval (with the message rate) until interrupted or --count lines were printed.",
                  {{"days", true, "days of messages per day (1-90, default 7)"},
                   {"watch", false, "print a line every interval"},
                   {"interval", true, "seconds between lines (default 2; fractions allowed)"},
                   {"count", true, "stop after this many lines"}},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 0, "no arguments");
                    const std::string path = "/v1/admin/stats" + query({{"days", args.value("days")}});
                    if (!args.has("watch")) {
                      return emit(global, api.get(path), [](const json& s) {
                        print_fields(s, {{"users", "users"},
                                         {"online_users", "online now"},
                                         {"online_devices", "devices online"},
                                         {"disabled_users", "disabled"},
                                         {"deleted_users", "deleted"},
                                         {"chats", "chats"},
                                         {"groups", "groups"},
                                         {"direct_chats", "direct chats"},
                                         {"messages", "messages"},
                                         {"media_files", "media files"},
                                         {"media_bytes", "media bytes"}});
                        std::cout << "messages per day:\n";
                        for (const json& day : s["messages_per_day"]) {
                          std::cout << "  " << text_of(day["day"]) << "  " << text_of(day["messages"]) << '\n';
                        }
                      });
                    }
                    double interval = 2.0;
                    if (const auto text = args.value("interval")) {
                      try {
                        interval = std::stod(*text);
                      } catch (const std::exception&) {
                        throw UsageError("--interval takes seconds");
                      }
                      if (!(interval > 0.0) || interval > 86400.0) throw UsageError("--interval takes seconds");
                    }
                    long long count = -1;
                    if (const auto text = args.value("count")) {
                      if (!all_digits(*text) || text->size() > 9) throw UsageError("--count takes a number");
                      count = std::stoll(*text);
                    }
                    std::optional<std::int64_t> previous;
                    for (long long line = 0; count < 0 || line < count; ++line) {
                      if (line > 0) std::this_thread::sleep_for(std::chrono::duration<double>(interval));
                      const json s = api.get(path);
                      if (global.json_output) {
                        std::cout << s.dump() << std::endl;
                        continue;
                      }
                      const std::int64_t messages = s["messages"].get<std::int64_t>();
                      const json& days = s["messages_per_day"];
                      std::ostringstream out;
                      out << format_time(json(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count()))
                          << "  users " << text_of(s["users"]) << "  online " << text_of(s["online_users"])
                          << "  chats " << text_of(s["chats"]) << "  messages " << messages << "  today "
                          << (days.empty() ? std::string("-") : text_of(days.back()["messages"]));
                      if (previous) {
                        out.precision(1);
                        out << std::fixed << "  rate " << static_cast<double>(messages - *previous) / interval << "/s";
                      }
                      std::cout << out.str() << std::endl;
                      previous = messages;
                    }
                    return 0;
                  }});
  list.push_back({"health",
                  "health",
                  "Asks the server's /healthz (no token needed).",
                  {},
                  [](Api& api, const Args& args, const Global& global) {
                    need(args, 0, "no arguments");
                    return emit(global, api.get("/healthz"),
                                [](const json& h) { std::cout << text_of(h["status"]) << '\n'; });
                  }});
  return list;
}

}  // namespace chat::chatctl
