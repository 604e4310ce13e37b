#include "output.hpp"

#include <cstdint>
#include <ctime>
#include <iostream>

namespace chat::chatctl {

std::string text_of(const json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string format_time(const json& ms) {
  if (!ms.is_number_integer()) return "-";
  const auto seconds = static_cast<std::time_t>(ms.get<std::int64_t>() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &utc);
  return text;
}

void print_fields(const json& object, const std::vector<std::pair<std::string, std::string>>& fields) {
  for (const auto& [key, label] : fields) {
    if (!object.contains(key)) continue;
    const json& value = object[key];
    const bool is_time = key.size() > 3 && (key.substr(key.size() - 3) == "_at" || key == "last_seen");
    std::cout << label << ": " << (is_time ? format_time(value) : text_of(value)) << '\n';
  }
}

void print_user(const json& user) {
  print_fields(user, {{"id", "id"},
                      {"username", "username"},
                      {"display_name", "display name"},
                      {"phone", "phone"},
                      {"disabled", "disabled"},
                      {"deleted", "deleted"},
                      {"has_password", "password"},
                      {"online", "online"},
                      {"created_at", "created"},
                      {"last_seen", "last seen"}});
}

void print_chat(const json& chat) {
  print_fields(chat, {{"id", "id"},
                      {"kind", "kind"},
                      {"title", "title"},
                      {"owner", "owner"},
                      {"member_count", "members"},
                      {"last_seq", "messages"},
                      {"deleted", "deleted"},
                      {"created_at", "created"}});
}

void print_message(const json& message) {
  std::cout << "#" << text_of(message["seq"]) << " " << format_time(message["ts"]) << " from "
            << text_of(message["from"]) << ": ";
  if (message.value("deleted", false)) {
    std::cout << "(deleted by moderation)";
  } else {
    std::cout << "[" << text_of(message["type"]) << "]";
    if (message.contains("text")) std::cout << " " << text_of(message["text"]);
    if (message.contains("media") && message["media"].is_object()) {
      std::cout << " media " << text_of(message["media"].value("id", json(nullptr)));
    }
  }
  std::cout << '\n';
}

int emit(const Global& global, const json& answer, const std::function<void(const json&)>& human) {
  if (global.json_output) {
    std::cout << answer.dump(2) << '\n';
  } else {
    human(answer);
  }
  return 0;
}

}  // namespace chat::chatctl
