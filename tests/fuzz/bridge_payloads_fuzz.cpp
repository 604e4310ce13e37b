// The bridge's reading of what devices publish (chat/bridge/payloads.hpp):
// messages before they are stored, receipts, device states.
//
// Input: the payload.
#include "chat/bridge/payloads.hpp"
#include "chat/protocol/identifiers.hpp"
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
  } else if (const auto& error = std::get<chat::bridge::PayloadError>(message); error.id) {
    chat::fuzz::require(chat::protocol::is_valid_message_id(*error.id));
  }
  if (const auto receipt = chat::bridge::parse_receipt_payload(payload)) {
    chat::fuzz::require(receipt->seq > 0 || !receipt->refs.empty());
  }
  chat::bridge::parse_device_state(payload);
  return 0;
}
