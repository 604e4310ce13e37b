#include "chat/bridge/inbound_classification.hpp"

#include "chat/protocol/events.hpp"

#include <utility>

namespace chat::bridge {

std::variant<MessageToStore, PayloadError> classify_message(const InboundTopic& topic, std::string_view payload,
                                                            std::size_t max_payload_bytes) {
  auto parsed = parse_message_payload(payload, max_payload_bytes);
  if (auto* error = std::get_if<PayloadError>(&parsed)) return std::move(*error);
  auto& message = std::get<MessagePayload>(parsed);
  if (topic.kind == TopicKind::dm_msg && topic.target == topic.from) {
    return PayloadError{std::string(protocol::to_string(protocol::ErrorCode::bad_request)),
                        "a direct message to oneself", std::move(message.id)};
  }
  MessageToStore m;
  m.chat_id = topic.kind == TopicKind::group_msg ? topic.target : 0;
  m.sender_id = topic.from;
  m.client_msg_id = std::move(message.id);
  m.type = message.type;
  m.body = std::move(message.body);
  m.reply_to = message.reply_to;
  m.target = message.target;
  m.edit_text = std::move(message.edit_text);
  m.emoji = std::move(message.emoji);
  m.remove = message.remove;
  return m;
}

std::optional<storage::ReceiptUpdate> classify_receipt(const InboundTopic& topic, std::string_view payload) {
  const auto parsed = parse_receipt_payload(payload);
  if (!parsed) return std::nullopt;
  storage::ReceiptUpdate r;
  r.reader_id = topic.from;
  r.kind = parsed->kind;
  r.seq = parsed->seq;
  if (topic.kind == TopicKind::dm_rcpt) {
    r.peer_id = topic.target;  // dm/{to}/rcpt/{from}: receipts for messages `to` sent
  } else {
    r.chat_id = topic.target;
  }
  for (const ReceiptRef& ref : parsed->refs) {
    const std::int64_t sender = ref.from != 0 ? ref.from : (topic.kind == TopicKind::dm_rcpt ? topic.target : 0);
    if (sender != 0) r.refs.push_back({sender, ref.id});
  }
  return r;
}

}  // namespace chat::bridge
