#pragma once
// What the writer makes of one inbound chat message or receipt, before any
// database work: a message to store or a refusal, a receipt update or
// nothing. Pure functions over the topic and the payload (the writer counts,
// nacks, batches and stores).
#include "chat/bridge/payloads.hpp"
#include "chat/bridge/topics.hpp"
#include "chat/storage/delivery_types.hpp"
#include "chat/storage/types.hpp"

#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>

namespace chat::bridge {

// A chat message to store. A direct message's chat_id is 0: the writer
// resolves the chat of (from, to) for the whole batch.
using MessageToStore = storage::NewMessage;

// A message topic (g/…/msg/…, dm/…/msg/…) and its payload of at most
// max_payload_bytes: the message, or why it is refused (PayloadError: the
// sender gets a nack when its id could be read; otherwise it is dropped).
std::variant<MessageToStore, PayloadError> classify_message(const InboundTopic& topic, std::string_view payload,
                                                            std::size_t max_payload_bytes);

// A receipt topic (g/…/rcpt/…, dm/…/rcpt/…) and its payload: the cursor
// update, or nullopt for an unreadable receipt (ignored: receipts are not acked).
std::optional<storage::ReceiptUpdate> classify_receipt(const InboundTopic& topic, std::string_view payload);

}  // namespace chat::bridge
