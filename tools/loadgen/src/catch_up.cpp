#include "chat/loadgen/catch_up.hpp"

#include <nlohmann/json.hpp>

namespace chat::loadgen {
namespace {

using nlohmann::json;

// The result of a successful answer, or nullopt.
std::optional<json> result_of(std::string_view answer) {
  auto parsed = json::parse(answer, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.value("ok", false)) return std::nullopt;
  const auto result = parsed.find("result");
  if (result == parsed.end() || !result->is_object()) return std::nullopt;
  return std::move(*result);
}

}  // namespace

std::string CatchUp::chat_list_request(std::string_view id) const {
  return json{{"id", id}, {"op", "chat.list"}, {"args", {{"after", after_}}}}.dump();
}

bool CatchUp::take_chat_list(std::string_view answer) {
  const auto result = result_of(answer);
  if (!result || !result->contains("chats") || !(*result)["chats"].is_array()) return false;
  ++lists_;
  for (const auto& chat : (*result)["chats"]) {
    const auto id = chat.value("id", std::uint64_t{0});
    chats_[id].last_seq = chat.value("last_seq", std::uint64_t{0});
    after_ = std::max(after_, id);
  }
  listing_done_ = !result->value("more", false);
  return true;
}

std::string CatchUp::sync_request(std::string_view id) const {
  json cursors = json::object();
  for (const auto& [chat, state] : chats_) cursors[std::to_string(chat)] = state.cursor;
  return json{{"id", id}, {"op", "sync"}, {"args", {{"cursors", std::move(cursors)}}}}.dump();
}

bool CatchUp::take_sync(std::string_view answer) {
  const auto result = result_of(answer);
  if (!result || !result->contains("chats") || !(*result)["chats"].is_array()) return false;
  ++syncs_;
  for (const auto& entry : (*result)["chats"]) {
    const auto it = chats_.find(entry.value("chat", std::uint64_t{0}));
    if (it == chats_.end() || !entry.contains("messages")) continue;
    Chat& chat = it->second;
    for (const auto& message : entry["messages"]) {
      const auto seq = message.value("seq", std::uint64_t{0});
      if (seq != chat.cursor + 1) ++out_of_order_;
      if (seq > chat.cursor) chat.cursor = seq;
      ++received_;
    }
  }
  sync_done_ = !result->value("more", false);
  return true;
}

std::uint64_t CatchUp::expected() const {
  std::uint64_t total = 0;
  for (const auto& [id, chat] : chats_) total += chat.last_seq;
  return total;
}

std::uint64_t CatchUp::missing() const {
  std::uint64_t total = 0;
  for (const auto& [id, chat] : chats_) total += chat.last_seq > chat.cursor ? chat.last_seq - chat.cursor : 0;
  return total;
}

std::optional<std::string> CatchUp::answer_id(std::string_view answer) {
  const auto parsed = json::parse(answer, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  const auto id = parsed.find("id");
  if (id == parsed.end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

}  // namespace chat::loadgen
