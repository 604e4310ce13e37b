// One table of contract cases (docs/protocol.md, sections 2 and 3), run
// against both readers of what users publish: the broker plugin's RapidJSON
// validator (auth-plugin/src/payload.cpp, the edge) and the bridge's
// nlohmann parsing (bridge/src/payloads.cpp, before storing). They stay two
// implementations for speed; this table keeps them from drifting: for every
// case both must accept or both refuse, with the same error code.
//
// The edge is the stricter of the two on purpose for a few rules (the bridge
// only ever sees what the plugin let through); those cases are listed as
// such, with each side's verdict, so that a change on either side shows here.
#include "acl.hpp"
#include "payload.hpp"

#include "chat/bridge/payloads.hpp"
#include "chat/bridge/topics.hpp"
#include "chat/protocol/events.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chat {
namespace {

constexpr std::size_t kMaxBytes = 256;  // small, so that the size rule is cheap to hit

// The verdict of a payload: nullopt accepted, otherwise the nack's `error`.
using Verdict = std::optional<std::string>;

Verdict plugin_message(const std::string& payload) {
  const auto check =
      auth::check_publish(auth::TopicInfo{auth::TopicKind::direct, auth::Channel::msg}, payload, kMaxBytes);
  if (check.ok()) return std::nullopt;
  return std::string(auth::to_string(check.error));
}

Verdict bridge_message(const std::string& payload) {
  const auto parsed = bridge::parse_message_payload(payload, kMaxBytes);
  if (std::holds_alternative<bridge::MessagePayload>(parsed)) return std::nullopt;
  return std::get<bridge::PayloadError>(parsed).error;
}

std::string describe(const Verdict& v) { return v ? *v : std::string("accepted"); }

const std::string kBadRequest(protocol::to_string(protocol::ErrorCode::bad_request));
const std::string kTooLarge(protocol::to_string(protocol::ErrorCode::too_large));

struct MessageCase {
  const char* what;
  std::string payload;
  Verdict expected;
};

std::string accents(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "\xCC\x81";
  return text;
}

std::string reaction_with_emoji(const std::string& emoji) {
  return R"({"id":"c1","type":"reaction","target":41,"emoji":")" + emoji + R"("})";
}

std::vector<MessageCase> agreed_message_cases() {
  const Verdict ok = std::nullopt;
  return {
      {"a text message", R"({"id":"c-7f3a9","type":"text","text":"hello","ts":1763700000000})", ok},
      {"an empty text", R"({"id":"c1","type":"text","text":""})", ok},
      {"an image with media", R"({"id":"c2","type":"image","media":{"id":"m-1","mime":"image/jpeg","size":48213}})",
       ok},
      {"a voice message", R"({"id":"c3","type":"voice","media":{"id":"m2"}})", ok},
      {"a file with extra fields", R"({"id":"c4","type":"file","media":{"id":"m3","size":0},"extra":[1,{"x":null}]})",
       ok},
      {"unicode text", R"({"id":"c5","type":"text","text":"ünïcödé 😀"})", ok},
      {"the longest id", R"({"id":")" + std::string(64, 'a') + R"(","type":"text","text":"x"})", ok},
      {"16 levels deep",
       R"({"id":"c6","type":"text","text":"x","d":)" + std::string(15, '[') + std::string(15, ']') + "}", ok},
      {"not JSON", "hello", kBadRequest},
      {"an empty payload", "", kBadRequest},
      {"an array", R"([{"id":"c1","type":"text","text":"x"}])", kBadRequest},
      {"a string", R"("hello")", kBadRequest},
      {"cut short", R"({"id":"c1","type":"text","text":"x")", kBadRequest},
      {"no id", R"({"type":"text","text":"x"})", kBadRequest},
      {"a numeric id", R"({"id":7,"type":"text","text":"x"})", kBadRequest},
      {"an id with a space", R"({"id":"c 1","type":"text","text":"x"})", kBadRequest},
      {"an id of 65", R"({"id":")" + std::string(65, 'a') + R"(","type":"text","text":"x"})", kBadRequest},
      {"an empty id", R"({"id":"","type":"text","text":"x"})", kBadRequest},
      {"no type", R"({"id":"c1","text":"x"})", kBadRequest},
      {"an unknown type", R"({"id":"c1","type":"video","text":"x"})", kBadRequest},
      {"a text without text", R"({"id":"c1","type":"text"})", kBadRequest},
      {"text not a string", R"({"id":"c1","type":"text","text":5})", kBadRequest},
      {"an image without media", R"({"id":"c1","type":"image","text":"x"})", kBadRequest},
      {"media not an object", R"({"id":"c1","type":"file","media":"m1"})", kBadRequest},
      {"17 levels deep",
       R"({"id":"c6","type":"text","text":"x","d":)" + std::string(16, '[') + std::string(16, ']') + "}", kBadRequest},
      {"invalid UTF-8", "{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xC3\x28\"}", kBadRequest},
      {"over the size limit", R"({"id":"c1","type":"text","text":")" + std::string(kMaxBytes, 'x') + R"("})",
       kTooLarge},
      // Replies and messages that act on messages (docs/protocol.md, "Conversation features").
      {"a reply", R"({"id":"c1","type":"text","text":"see above","reply_to":41})", ok},
      {"an image replying", R"({"id":"c1","type":"image","media":{"id":"m1"},"reply_to":1})", ok},
      {"an edit", R"({"id":"c1","type":"edit","target":41,"text":"hello, corrected"})", ok},
      {"an edit to an empty text", R"({"id":"c1","type":"edit","target":41,"text":""})", ok},
      {"a delete", R"({"id":"c1","type":"delete","target":41})", ok},
      {"a reaction", R"({"id":"c1","type":"reaction","target":41,"emoji":"👍"})", ok},
      {"a reaction taken back", R"({"id":"c1","type":"reaction","target":41,"emoji":"👍","remove":true})", ok},
      {"a skin-toned emoji", R"({"id":"c1","type":"reaction","target":1,"emoji":"👍🏽"})", ok},
      {"a family (ZWJ sequence)", R"({"id":"c1","type":"reaction","target":1,"emoji":"👨‍👩‍👧"})", ok},
      {"a flag", R"({"id":"c1","type":"reaction","target":1,"emoji":"🇫🇷"})", ok},
      {"a plain letter", R"({"id":"c1","type":"reaction","target":1,"emoji":"a"})", ok},
      {"reply_to zero", R"({"id":"c1","type":"text","text":"x","reply_to":0})", kBadRequest},
      {"reply_to a string", R"({"id":"c1","type":"text","text":"x","reply_to":"41"})", kBadRequest},
      {"reply_to a float", R"({"id":"c1","type":"text","text":"x","reply_to":4.5})", kBadRequest},
      {"an edit without target", R"({"id":"c1","type":"edit","text":"x"})", kBadRequest},
      {"an edit without text", R"({"id":"c1","type":"edit","target":41})", kBadRequest},
      {"an edit of target 0", R"({"id":"c1","type":"edit","target":0,"text":"x"})", kBadRequest},
      {"a negative target", R"({"id":"c1","type":"delete","target":-3})", kBadRequest},
      {"a target too large", R"({"id":"c1","type":"delete","target":9223372036854775808})", kBadRequest},
      {"a target as text", R"({"id":"c1","type":"delete","target":"41"})", kBadRequest},
      {"a delete carrying media", R"({"id":"c1","type":"delete","target":4,"media":{"id":"m1"}})", kBadRequest},
      {"a reaction without emoji", R"({"id":"c1","type":"reaction","target":41})", kBadRequest},
      {"an empty emoji", R"({"id":"c1","type":"reaction","target":41,"emoji":""})", kBadRequest},
      {"two emoji", R"({"id":"c1","type":"reaction","target":41,"emoji":"👍👍"})", kBadRequest},
      {"a word", R"({"id":"c1","type":"reaction","target":41,"emoji":"ok"})", kBadRequest},
      // One grapheme each: a letter under 15 and 16 combining accents (U+0301, 2 bytes).
      {"one grapheme of 31 bytes", reaction_with_emoji("a" + accents(15)), ok},
      {"one grapheme of 33 bytes", reaction_with_emoji("a" + accents(16)), kBadRequest},
      {"an emoji as a number", R"({"id":"c1","type":"reaction","target":41,"emoji":1})", kBadRequest},
      {"remove as text", R"({"id":"c1","type":"reaction","target":41,"emoji":"👍","remove":"yes"})", kBadRequest},
  };
}

TEST(ProtocolConformance, MessagesPluginAndBridgeAgree) {
  for (const MessageCase& c : agreed_message_cases()) {
    EXPECT_EQ(describe(plugin_message(c.payload)), describe(c.expected)) << "plugin: " << c.what;
    EXPECT_EQ(describe(bridge_message(c.payload)), describe(c.expected)) << "bridge: " << c.what;
  }
}

// Rules only the edge applies: the bridge stores what the plugin passed and
// does not re-check them. Each side's verdict is pinned here.
TEST(ProtocolConformance, MessageRulesOnlyTheEdgeChecks) {
  struct EdgeOnly {
    const char* what;
    std::string payload;
  };
  for (const EdgeOnly& c : std::vector<EdgeOnly>{
           {"a negative ts", R"({"id":"c1","type":"text","text":"x","ts":-1})"},
           {"a key twice", R"({"id":"c1","type":"text","text":"x","text":"y"})"},
           {"media on a text message", R"({"id":"c1","type":"text","text":"x","media":{"id":"m1"}})"},
           {"a media id with a slash", R"({"id":"c1","type":"image","media":{"id":"../m1"}})"},
       }) {
    EXPECT_EQ(describe(plugin_message(c.payload)), kBadRequest) << "plugin: " << c.what;
    EXPECT_EQ(describe(bridge_message(c.payload)), "accepted") << "bridge: " << c.what;
  }
}

struct ReceiptCase {
  const char* what;
  const char* payload;
  bool in_group;
  bool accepted;
};

TEST(ProtocolConformance, ReceiptsPluginAndBridgeAgree) {
  // The bridge has no nack for a receipt (it ignores an unreadable one), so
  // only accept/refuse is compared; the plugin's refusal is bad_request.
  for (const ReceiptCase& c : std::vector<ReceiptCase>{
           {"a seq", R"({"type":"read","seq":118})", false, true},
           {"refs in a dm", R"({"type":"delivered","refs":[{"id":"c-7f3a9"}]})", false, true},
           {"refs with from in a group", R"({"type":"read","refs":[{"from":12,"id":"c1"},{"from":13,"id":"c2"}]})",
            true, true},
           {"not JSON", "read", false, false},
           {"no type", R"({"seq":1})", false, false},
           {"an unknown type", R"({"type":"seen","seq":1})", false, false},
           {"seq zero", R"({"type":"read","seq":0})", false, false},
           {"seq not an integer", R"({"type":"read","seq":"1"})", false, false},
           {"neither seq nor refs", R"({"type":"read"})", false, false},
           {"refs not an array", R"({"type":"read","refs":{"id":"c1"}})", false, false},
           {"a ref without id", R"({"type":"read","refs":[{"from":12}]})", false, false},
           {"a ref with a bad id", R"({"type":"read","refs":[{"id":"a b"}]})", false, false},
           {"a ref from zero", R"({"type":"read","refs":[{"from":0,"id":"c1"}]})", false, false},
       }) {
    const auto plugin = auth::check_receipt(c.payload, c.in_group);
    EXPECT_EQ(plugin.ok(), c.accepted) << "plugin: " << c.what << ": " << plugin.detail;
    if (!plugin.ok()) {
      EXPECT_EQ(auth::to_string(plugin.error), kBadRequest) << "plugin: " << c.what;
    }
    EXPECT_EQ(bridge::parse_receipt_payload(c.payload).has_value(), c.accepted) << "bridge: " << c.what;
  }
}

// Membership as the plugin's cache would know it: user 7 is in every group.
class EveryoneIsMember final : public auth::MembershipView {
 public:
  bool is_member(auth::ChatId, auth::Uid) const override { return true; }
  bool blocks(auth::Uid, auth::Uid) const override { return false; }
};

TEST(ProtocolConformance, TopicsPluginAndBridgeAgree) {
  // Publishes by user 7. `bridge_reads`: the bridge stores or answers it
  // (typing goes from user to user and never reaches the bridge).
  struct TopicCase {
    const char* topic;
    bool plugin_allows;
    bool bridge_reads;
  };
  const EveryoneIsMember members;
  const auto user = auth::Principal::user(7, "7");
  for (const TopicCase& c : std::vector<TopicCase>{
           {"dm/12/msg/7", true, true},
           {"dm/12/rcpt/7", true, true},
           {"g/5/msg/7", true, true},
           {"g/5/rcpt/7", true, true},
           {"st/7/phone", true, true},
           {"req/7/phone-1_A", true, true},
           {"dm/12/typing/7", true, false},
           {"g/5/typing/7", true, false},
           {"dm/012/msg/7", false, false},
           {"dm/0/msg/7", false, false},
           {"dm/12/msg/7/x", false, false},
           {"dm/12/note/7", false, false},
           {"dm/9223372036854775808/msg/7", false, false},
           {"st/7/bad.device", false, false},
           {"st/7/"
            "0123456789012345678901234567890123",
            false, false},
           {"req/7", false, false},
           {"u/7/ev", false, false},
           {"presence/7", false, false},
           {"dm/12/msg/", false, false},
       }) {
    EXPECT_EQ(auth::check_access(user, auth::Access::write, c.topic, members).allowed, c.plugin_allows) << c.topic;
    EXPECT_EQ(bridge::parse_topic(c.topic).has_value(), c.bridge_reads) << c.topic;
  }
}

}  // namespace
}  // namespace chat
