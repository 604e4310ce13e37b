// The auth plugin's edge validation of user publishes (auth-plugin/src/payload.hpp):
// the code that reads every message and receipt on the broker's only thread.
//
// Input: first line the channel ("dm msg", "g rcpt", "dm typing", anything
// else: another topic), the rest the payload.
#include "fuzz_input.hpp"
#include "payload.hpp"

#include <nlohmann/json.hpp>

namespace {

using chat::auth::Channel;
using chat::auth::TopicInfo;
using chat::auth::TopicKind;

constexpr std::size_t kMaxBytes = 65536;  // the plugin's default max_payload_bytes

TopicInfo topic_of(std::string_view head) {
  TopicInfo info;
  if (head.starts_with("dm ")) info.kind = TopicKind::direct;
  if (head.starts_with("g ")) info.kind = TopicKind::group;
  if (info.kind == TopicKind::other) return info;
  if (head.ends_with(" msg")) info.channel = Channel::msg;
  if (head.ends_with(" rcpt")) info.channel = Channel::rcpt;
  if (head.ends_with(" typing")) info.channel = Channel::typing;
  return info;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [head, payload] = chat::fuzz::split_first_line(data, size);
  const TopicInfo topic = topic_of(head);

  // The plugin keeps one checker for its lifetime: state left behind by one
  // payload must not change the verdict on the next.
  static chat::auth::PayloadChecker warm;
  const auto reused = warm.publish(topic, payload, kMaxBytes);
  const auto fresh = chat::auth::check_publish(topic, payload, kMaxBytes);
  chat::fuzz::require(reused.error == fresh.error && reused.message_id == fresh.message_id);

  if (reused.ok()) {
    chat::fuzz::require(payload.size() <= kMaxBytes);
    if (topic.channel == Channel::msg || topic.channel == Channel::rcpt) {
      // What the plugin lets through, the bridge (nlohmann) must read the same way.
      chat::fuzz::require(chat::auth::is_valid_utf8(payload));
      chat::fuzz::require(nlohmann::json::parse(payload, nullptr, false).is_object());
    }
  }
  // The nack is JSON whatever the id and detail hold.
  const auto nack = chat::auth::make_nack(reused.message_id, head, chat::auth::Rejection::bad_request, reused.detail);
  chat::fuzz::require(!nlohmann::json::parse(nack, nullptr, false).is_discarded() || !chat::auth::is_valid_utf8(head));
  return 0;
}
