#include "chat/admin/json_records.hpp"

namespace chat::admin {
namespace {

nlohmann::json optional_number(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json user_json(const storage::UserAccount& admin_user) {
  const storage::User& user = admin_user.user;
  return {
      {"id", user.id},
      {"username", user.username},
      {"phone", user.phone ? nlohmann::json(*user.phone) : nlohmann::json(nullptr)},
      {"display_name", user.display_name},
      {"disabled", user.disabled},
      {"deleted", admin_user.deleted()},
      {"has_password", admin_user.has_password},
      {"online", admin_user.online},
      {"created_at", user.created_at_ms},
      {"updated_at", user.updated_at_ms},
      {"last_seen", optional_number(user.last_seen_ms)},
      {"deleted_at", optional_number(admin_user.deleted_at_ms)},
  };
}

nlohmann::json chat_json(const storage::ChatSummary& summary) {
  const storage::Chat& chat = summary.chat;
  return {
      {"id", chat.id},
      {"kind", storage::to_string(chat.kind)},
      {"title", chat.title},
      {"owner", optional_number(chat.owner_id)},
      {"last_seq", chat.last_seq},
      {"member_count", summary.member_count},
      {"created_at", chat.created_at_ms},
      {"updated_at", chat.updated_at_ms},
      {"deleted", chat.deleted()},
      {"deleted_at", optional_number(chat.deleted_at_ms)},
  };
}

nlohmann::json member_json(const storage::MemberProfile& admin_member) {
  const storage::Member& member = admin_member.member;
  return {
      {"uid", member.user_id},
      {"username", admin_member.username},
      {"display_name", admin_member.display_name},
      {"role", storage::to_string(member.role)},
      {"joined_at", member.joined_at_ms},
      {"delivered_seq", member.delivered_seq},
      {"read_seq", member.read_seq},
  };
}

nlohmann::json message_json(const storage::StoredMessage& message) {
  nlohmann::json record{
      {"chat", message.chat_id},     {"seq", message.seq},          {"from", message.sender_id},
      {"id", message.client_msg_id}, {"ts", message.created_at_ms},
  };
  if (message.deleted()) {
    record["deleted"] = true;
    record["deleted_at"] = *message.deleted_at_ms;
    return record;
  }
  record["type"] = storage::to_string(message.type);
  const auto body = nlohmann::json::parse(message.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    for (const auto& [key, value] : body.items()) {
      if (!record.contains(key) && key != "deleted") record[key] = value;
    }
  }
  return record;
}

nlohmann::json stats_json(const storage::PlatformStats& stats) {
  nlohmann::json per_day = nlohmann::json::array();
  for (const auto& day : stats.messages_per_day) per_day.push_back({{"day", day.day}, {"messages", day.messages}});
  return {
      {"users", stats.users},
      {"disabled_users", stats.disabled_users},
      {"deleted_users", stats.deleted_users},
      {"online_users", stats.online_users},
      {"online_devices", stats.online_devices},
      {"chats", stats.chats},
      {"groups", stats.groups},
      {"direct_chats", stats.direct_chats},
      {"messages", stats.messages},
      {"media_files", stats.media_files},
      {"media_bytes", stats.media_bytes},
      {"messages_per_day", std::move(per_day)},
  };
}

nlohmann::json media_json(const storage::MediaRecord& media) {
  return {
      {"id", media.id},
      {"mime", media.mime},
      {"kind", to_string(kind_of_mime(media.mime))},
      {"size", media.size_bytes},
      {"sha256", media.sha256},
      {"uploader", media.uploader_id},
      {"created_at", media.created_at_ms},
      {"referenced", media.first_referenced_at_ms.has_value()},
  };
}

nlohmann::json page_json(nlohmann::json items, const std::optional<std::string>& next) {
  return {{"items", std::move(items)}, {"next", next ? nlohmann::json(*next) : nlohmann::json(nullptr)}};
}

std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

MediaKind kind_of_mime(std::string_view mime) {
  if (mime.rfind("image/", 0) == 0) return MediaKind::image;
  if (mime.rfind("audio/", 0) == 0) return MediaKind::voice;
  return MediaKind::file;
}

}  // namespace chat::admin
