// The notification outbox's worker side: claim, finish, reschedule.
#include "chat/storage/delivery.hpp"
#include "sql/notifications_sql.hpp"

#include <string>

namespace chat::storage {

std::vector<PendingNotification> DeliveryStore::claim_notifications(int limit, std::chrono::milliseconds lease) {
  if (limit <= 0) return {};
  std::vector<PendingNotification> claimed;
  for (const Row row :
       connection_.execute(sql::kClaimNotifications, std::int64_t{limit}, static_cast<std::int64_t>(lease.count()))) {
    PendingNotification n;
    n.id = row.int64("id");
    n.recipient_id = row.int64("user_id");
    n.chat_id = row.int64("chat_id");
    n.seq = row.int64("seq");
    n.attempts = static_cast<int>(row.int64("attempts"));
    n.sender_id = row.int64("sender_id");
    n.sender_name = row.text("sender_name");
    n.chat_kind = parse_chat_kind(row.text("kind")).value_or(ChatKind::group);
    n.chat_title = row.text("title");
    n.type = parse_message_type(row.text("type")).value_or(MessageType::text);
    n.body = row.text("body");
    n.created_at_ms = row.int64("created_at_ms");
    n.already_read = row.boolean("already_read");
    n.muted = row.boolean("muted");
    n.content_message = row.boolean("content_message");
    n.badge = row.int64("badge");
    claimed.push_back(std::move(n));
  }
  return claimed;
}

void DeliveryStore::finish_notifications(std::span<const std::int64_t> ids) {
  if (ids.empty()) return;
  connection_.execute(sql::kDeleteNotifications, Param::int64_array(ids));
}

void DeliveryStore::reschedule_notification(std::int64_t id, std::chrono::milliseconds delay, std::string_view error) {
  connection_.execute(sql::kRescheduleNotification, id, static_cast<std::int64_t>(delay.count()), error.substr(0, 500));
}

std::int64_t DeliveryStore::notification_backlog() {
  return connection_.execute(sql::kCountNotifications).one().int64("n");
}

}  // namespace chat::storage
