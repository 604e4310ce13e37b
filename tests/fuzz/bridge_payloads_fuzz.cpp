// The bridge's reading of what devices publish (chat/bridge/payloads.hpp):
// messages before they are stored, receipts, device states.
//
// Input: the payload.
#include "chat/bridge/payloads.hpp"
#include "chat/protocol/identifiers.hpp"
#include "chat/protocol/limits.hpp"
#include "fuzz_input.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto message = chat::bridge::parse_message_payload(payload, 65536);
  if (const auto* ok = std::get_if<chat::bridge::MessagePayload>(&message)) {
    chat::fuzz::require(chat::protocol::is_valid_message_id(ok->id));
    // The body goes into a jsonb column: an object without NUL.
    chat::fuzz::require(ok->body.find('\0') == std::string::npos);
    chat::fuzz::require(nlohmann::json::parse(ok->body, nullptr, false).is_object());
    // What storage checks actions with: a target for every action, a bounded emoji.
    chat::fuzz::require(ok->reply_to >= 0 && ok->target >= 0);
    chat::fuzz::require(chat::storage::carries_content(ok->type) || ok->target > 0);
    if (ok->type == chat::storage::MessageType::reaction) {
      chat::fuzz::require(!ok->emoji.empty() && ok->emoji.size() <= chat::protocol::limits::kMaxEmojiBytes);
    }
  } else if (const auto& error = std::get<chat::bridge::PayloadError>(message); error.id) {
    chat::fuzz::require(chat::protocol::is_valid_message_id(*error.id));
  }
  if (const auto receipt = chat::bridge::parse_receipt_payload(payload)) {
    chat::fuzz::require(receipt->seq > 0 || !receipt->refs.empty());
  }
  chat::bridge::parse_device_state(payload);
  return 0;
}
