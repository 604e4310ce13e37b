// Edge validation of messages and receipts (docs/protocol.md, section 3) and
// the nack event a refused publisher gets.
#include "payload.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace chat::auth {
namespace {

void expect_bad(const PayloadCheck& check, const std::string& what) {
  EXPECT_EQ(check.error, Rejection::bad_request) << what;
  EXPECT_FALSE(check.detail.empty()) << what;
}

TEST(AuthPayload, AcceptsContractMessages) {
  for (const char* ok :
       {R"({"id":"c-7f3a9","type":"text","text":"hello","ts":1763700000000})", R"({"id":"c1","type":"text","text":""})",
        R"({"id":"c_2","type":"image","media":{"id":"m-1","mime":"image/jpeg","size":48213},"text":"caption"})",
        R"({"id":"c3","type":"voice","media":{"id":"m2"}})",
        R"({"id":"c4","type":"file","media":{"id":"m3","size":0},"extra":[1,2,{"x":null}]})",
        R"( {"id":"c5","type":"text","text":"ünïcödé 😀"} )"}) {
    const auto check = check_message(ok);
    EXPECT_TRUE(check.ok()) << ok << ": " << check.detail;
  }
  EXPECT_EQ(check_message(R"({"id":"c-7f3a9","type":"text","text":"x"})").message_id, "c-7f3a9");
}

TEST(AuthPayload, RefusesBadMessages) {
  for (const char* bad :
       {"",
        "hello",
        "[]",
        "\"text\"",
        "42",
        "null",
        R"({"id":"c1","type":"text","text":"x")",
        R"({"type":"text","text":"x"})",
        R"({"id":1,"type":"text","text":"x"})",
        R"({"id":"","type":"text","text":"x"})",
        R"({"id":"a b","type":"text","text":"x"})",
        R"({"id":"ü","type":"text","text":"x"})",
        R"({"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","type":"text","text":"x"})",
        R"({"id":"c1","text":"x"})",
        R"({"id":"c1","type":"video","media":{"id":"m"}})",
        R"({"id":"c1","type":"TEXT","text":"x"})",
        R"({"id":"c1","type":"text"})",
        R"({"id":"c1","type":"text","text":5})",
        R"({"id":"c1","type":"text","text":"x","media":{"id":"m"}})",
        R"({"id":"c1","type":"image"})",
        R"({"id":"c1","type":"image","media":"m-1"})",
        R"({"id":"c1","type":"image","media":{}})",
        R"({"id":"c1","type":"image","media":{"id":"m 1"}})",
        R"({"id":"c1","type":"image","media":{"id":"m","size":-1}})",
        R"({"id":"c1","type":"image","media":{"id":"m","size":"1"}})",
        R"({"id":"c1","type":"image","media":{"id":"m","mime":3}})",
        R"({"id":"c1","type":"text","text":"x","ts":"now"})",
        R"({"id":"c1","type":"text","text":"x","ts":-5})",
        R"({"id":"c1","type":"text","text":"x","ts":1.5})",
        R"({"id":"c1","type":"text","text":"x","id":"c2"})" /* duplicate key */}) {
    expect_bad(check_message(bad), bad);
  }
}

TEST(AuthPayload, NestedFieldsOfOtherNamesDoNotCount) {
  EXPECT_TRUE(check_message(R"({"id":"c1","type":"text","text":"x","meta":{"id":5,"type":[],"media":{}}})").ok());
  EXPECT_TRUE(check_message(R"({"meta":{"id":"zz"},"id":"c1","type":"text","text":"x"})").ok());
  EXPECT_TRUE(check_receipt(R"({"type":"read","refs":[{"id":"c1","from":1,"x":[1,{"id":2,"from":"a"}]}]})", true).ok());
  EXPECT_TRUE(check_message(R"({"id":"c1","type":"image","media":{"id":"m1","extra":{"size":"big"}}})").ok());
}

TEST(AuthPayload, StructuralMistakesAreRefused) {
  for (const char* bad : {R"({"id":"c1","type":"text","text":"x"}x)", R"({"id":"c1","type":"text","text":"x"} {})",
                          R"({"id":{"v":"c1"},"type":"text","text":"x"})", R"({"id":["c1"],"type":"text","text":"x"})",
                          R"({"id":"c1","type":"image","media":[{"id":"m1"}]})",
                          R"({"id":"c1","type":"image","media":{"id":"m1","id":"m2"}})",
                          R"({"id":"c1","type":"text","text":"x","meta":{"a":1,"a":2}})",
                          R"({"id":"c1","type":"text","text":"x","ts":18446744073709551615})"}) {
    expect_bad(check_message(bad), bad);
  }
  for (const char* bad : {R"({"type":"read","refs":[["c1"]]})", R"({"type":"read","refs":[{"id":"c1"},7]})",
                          R"({"type":"read","refs":[{"id":"c1","id":"c2"}]})", R"({"type":"read","refs":"c1"})",
                          R"({"type":"read","seq":9223372036854775808})"}) {
    expect_bad(check_receipt(bad, false), bad);
  }
}

TEST(AuthPayload, NestingLimit) {
  auto nested = [](int levels) {  // the top object plus `levels` arrays
    std::string doc = R"({"id":"c1","type":"text","text":"x","n":)";
    for (int i = 0; i < levels; ++i) doc += "[";
    for (int i = 0; i < levels; ++i) doc += "]";
    return doc + "}";
  };
  EXPECT_TRUE(check_message(nested(kMaxJsonDepth - 1)).ok());
  EXPECT_EQ(check_message(nested(kMaxJsonDepth)).detail, "JSON nested too deeply");
  // The reader is recursive: the handler must stop it at the limit, before it
  // descends (a million levels would otherwise overflow the broker's stack).
  EXPECT_EQ(check_message(nested(1'000'000)).detail, "JSON nested too deeply");
  EXPECT_EQ(check_message(std::string(1'000'000, '[')).detail, "JSON nested too deeply");
}

TEST(AuthPayload, RefusesInvalidUtf8) {
  const std::string payloads[] = {
      std::string("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xff\"}"),
      std::string("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xc0\xaf\"}"),          // overlong '/'
      std::string("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xed\xa0\x80\"}"),      // surrogate
      std::string("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xf4\x90\x80\x80\"}"),  // > U+10FFFF
      std::string("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\xe2\x82\"}"),          // truncated
  };
  for (const auto& payload : payloads) {
    const auto check = check_message(payload);
    EXPECT_EQ(check.error, Rejection::bad_request);
    EXPECT_NE(check.detail.find("UTF-8"), std::string::npos) << check.detail;
  }
  EXPECT_TRUE(is_valid_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
}

TEST(AuthPayload, EscapesMustDecodeToValidUtf8) {
  EXPECT_TRUE(check_message(R"({"id":"c1","type":"text","text":"\ud83d\ude00 \u00e9 \n \" \\"})").ok());
  expect_bad(check_message(R"({"id":"c1","type":"text","text":"\udc00"})"), "lone low surrogate");
  expect_bad(check_message(R"({"id":"c1","type":"text","text":"\ud800"})"), "lone high surrogate");
  expect_bad(check_message(R"({"id":"c1","type":"text","text":"\ud800x"})"), "high surrogate, no pair");
  expect_bad(check_message(R"({"id":"c1","type":"text","\udc00":"x"})"), "in a key");
  expect_bad(check_message(std::string("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"a\tb\"}")), "raw control char");
  using namespace std::string_literals;  // ""s keeps the embedded NUL bytes
  expect_bad(check_message("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"x\"}\0"s), "trailing NUL");
  expect_bad(check_message("{\"id\":\"c1\",\"type\":\"text\",\"text\":\"\0\"}"s), "NUL in a string");
  for (const char* bad :
       {R"({"id":"c1","type":"text","text":"x","ts":1e400})", R"({"id":"c1","type":"text","text":'x'})",
        R"({"id":"c1","type":"text","text":"x",})", R"({"id":"c1","type":"text","text":"x","n":NaN})",
        R"({"id":"c1","type":"text","text":"x"/*c*/})", R"({"id":"c1","type":"text","text":"x","n":01})"}) {
    expect_bad(check_message(bad), bad);
  }
}

TEST(AuthPayload, RefusesDeepNesting) {
  std::string deep = R"({"id":"c1","type":"text","text":"x","n":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  expect_bad(check_message(deep), "deep");
}

TEST(AuthPayload, NamesTheIdOfARefusedMessage) {
  const auto check = check_message(R"({"id":"c9","type":"video"})");
  EXPECT_EQ(check.error, Rejection::bad_request);
  EXPECT_EQ(check.message_id, "c9");
  EXPECT_FALSE(check_message("nope").message_id.has_value());
}

// Issue #13, item 3: the client drops a refused message from its outbox by
// the nack's id, so every refusal names it when the first bytes hold it.
TEST(AuthPayload, EveryRefusedMessageNamesItsIdWhenItsFirstBytesHoldIt) {
  const TopicInfo dm{TopicKind::direct, Channel::msg};
  const std::string big = R"({"id":"big-1","type":"text","text":")" + std::string(70000, 'x') + R"("})";
  const auto too_large = check_publish(dm, big, 65536);
  EXPECT_EQ(too_large.error, Rejection::too_large);
  EXPECT_EQ(too_large.message_id, "big-1");
  EXPECT_EQ(check_publish(TopicInfo{TopicKind::direct, Channel::rcpt}, big, 65536).message_id, std::nullopt)
      << "receipts have no id";
  EXPECT_EQ(check_message(R"({"id":"j1","type":"text","text":"x",})").message_id, "j1") << "bad JSON after the id";
  EXPECT_EQ(check_message(R"({"id":"d1","type":"text","text":"x","text":"y"})").message_id, "d1") << "duplicate key";
  EXPECT_EQ(check_message("{\"id\":\"u1\",\"type\":\"text\",\"text\":\"\xff\"}").message_id, "u1") << "bad UTF-8";
  std::string deep = R"({"id":"n1","k":)" + std::string(20, '[') + std::string(20, ']') + "}";
  EXPECT_EQ(check_message(deep).message_id, "n1") << "too deep";

  EXPECT_EQ(leading_message_id(R"({"type":"text","id":"second"})"), "second");
  EXPECT_EQ(leading_message_id(R"({"m":{"id":"nested"},"n":[{"id":"x"}]})"), std::nullopt) << "only the top level";
  EXPECT_EQ(leading_message_id(R"({"id":7,"type":"text"})"), std::nullopt) << "an id that is no string";
  EXPECT_EQ(leading_message_id(R"({"id":"not valid!"})"), std::nullopt) << "an id the contract refuses";
  EXPECT_EQ(leading_message_id(R"([{"id":"in-array"}])"), std::nullopt);
  EXPECT_EQ(leading_message_id(R"({"text":")" + std::string(kIdPeekBytes, 'x') + R"(","id":"late"})"), std::nullopt)
      << "beyond the first bytes it is not looked for";
  EXPECT_EQ(leading_message_id(R"({"id":"cut)"), std::nullopt);
}

TEST(AuthPayload, AcceptsContractReceipts) {
  for (const char* ok : {R"({"type":"delivered","seq":118})", R"({"type":"read","seq":1})",
                         R"({"type":"read","refs":[{"from":12,"id":"c-7f3a9"}]})",
                         R"({"type":"delivered","refs":[{"id":"c1"},{"id":"c2","from":3}]})"}) {
    EXPECT_TRUE(check_receipt(ok, false).ok()) << ok;
  }
  EXPECT_TRUE(check_receipt(R"({"type":"read","refs":[{"from":12,"id":"c1"}]})", true).ok());
}

TEST(AuthPayload, RefusesBadReceipts) {
  for (const char* bad :
       {"{}", R"({"type":"seen","seq":1})", R"({"seq":1})", R"({"type":"read"})", R"({"type":"read","seq":0})",
        R"({"type":"read","seq":-3})", R"({"type":"read","seq":"1"})", R"({"type":"read","seq":1.5})",
        R"({"type":"read","seq":1,"refs":[{"id":"c1"}]})", R"({"type":"read","refs":[]})",
        R"({"type":"read","refs":{}})", R"({"type":"read","refs":["c1"]})", R"({"type":"read","refs":[{"from":1}]})",
        R"({"type":"read","refs":[{"id":"c 1"}]})", R"({"type":"read","refs":[{"id":"c1","from":0}]})",
        R"({"type":"read","refs":[{"id":"c1","from":"12"}]})", "[1]"}) {
    expect_bad(check_receipt(bad, false), bad);
  }
  expect_bad(check_receipt(R"({"type":"read","refs":[{"id":"c1"}]})", true), "group ref without from");
  std::string many = R"({"type":"read","refs":[)";
  for (std::size_t i = 0; i <= kMaxReceiptRefs; ++i) many += std::string(i ? "," : "") + R"({"id":"c1"})";
  many += "]}";
  expect_bad(check_receipt(many, false), "too many refs");
  // Refs past the limit are refused for their number and not checked one by
  // one, but still read as JSON; the last ref within the limit is checked.
  std::string last_bad = R"({"type":"read","refs":[)";
  for (std::size_t i = 1; i < kMaxReceiptRefs; ++i) last_bad += R"({"id":"c1"},)";
  expect_bad(check_receipt(last_bad + R"({"id":"c 1"}]})", false), "the 1000th ref is checked");
  EXPECT_TRUE(check_receipt(last_bad + R"({"id":"c1"}]})", false).ok()) << "1000 refs are a receipt";
  const std::string past = last_bad + R"({"id":"c1"},{"id":"c 1","from":"x"}]})";
  EXPECT_EQ(check_receipt(past, false).detail, "\"refs\" has more than 1000 entries");
  EXPECT_EQ(check_receipt(last_bad + R"({"id":"c1"},{"id":"c1",}]})", false).detail, "not valid JSON");
  EXPECT_EQ(check_receipt(last_bad + R"({"id":"c1"},{"a":1,"a":2}]})", false).detail, "duplicate key in JSON object");
}

TEST(AuthPayload, SizeLimitAppliesToEveryUserPublish) {
  const std::string big(1001, 'x');
  EXPECT_EQ(check_publish(TopicInfo{}, big, 1000).error, Rejection::too_large);
  EXPECT_TRUE(check_publish(TopicInfo{}, big, 1001).ok()) << "other topics need no JSON";
  const std::string message = R"({"id":"c1","type":"text","text":")" + std::string(100, 'x') + R"("})";
  EXPECT_EQ(check_publish(TopicInfo{TopicKind::direct, Channel::msg}, message, 100).error, Rejection::too_large);
  EXPECT_TRUE(check_publish(TopicInfo{TopicKind::direct, Channel::msg}, message, 1000).ok());
  EXPECT_EQ(check_publish(TopicInfo{TopicKind::group, Channel::msg}, "x", 1000).error, Rejection::bad_request);
  EXPECT_EQ(check_publish(TopicInfo{TopicKind::group, Channel::rcpt}, "x", 1000).error, Rejection::bad_request);
  EXPECT_TRUE(check_publish(TopicInfo{TopicKind::direct, Channel::typing}, "", 1000).ok());
}

// Issue #13, item 1: a valid 64 KiB message of ~8 100 distinct short keys cost
// ~200 ms (each key compared with every earlier one), about 4 000 times the
// plain 64 KiB text message it is measured against here. The goal is ~2x;
// the factor asserted is generous so that a loaded machine cannot fail it
// (docs/auth-plugin.md has the measured figures).
// A 64 KiB object of ~8 000 distinct keys is checked, and one duplicate key
// among them is found. That the work stays linear is shown without a clock:
// AuthKeySet.WorkGrowsLinearlyWithTheNumberOfKeys counts the key set's probes.
// What it costs in time is a benchmark (chat-payload-cost, docs/security.md),
// never a test: timings depend on the machine and the sanitizers.
TEST(AuthPayload, ManyKeysAreCheckedAndADuplicateAmongThemIsRefused) {
  std::string many_keys = R"({"id":"k1","type":"text","text":"x")";
  for (int i = 0; many_keys.size() < 65536 - 12; ++i) {
    std::string key(3, 'a');
    for (int n = i, k = 2; k >= 0; --k, n /= 26) key[static_cast<std::size_t>(k)] = static_cast<char>('a' + n % 26);
    many_keys += ",\"" + key + "\":0";
  }
  many_keys += "}";
  ASSERT_LE(many_keys.size(), 65536u);
  PayloadChecker checker;
  EXPECT_TRUE(checker.message(many_keys).ok());
  const std::string duplicate = many_keys.substr(0, many_keys.size() - 1) + R"(,"aaa":1})";
  const PayloadCheck refused = checker.message(duplicate);
  EXPECT_EQ(refused.error, Rejection::bad_request);
  EXPECT_EQ(refused.detail, "duplicate key in JSON object");
}

TEST(AuthPayload, NackEventHasTheContractsShape) {
  const auto nack = nlohmann::json::parse(
      make_nack(std::string("c1"), "dm/2/msg/1", Rejection::bad_request, "\"type\" must be \"text\""));
  EXPECT_EQ(nack["ev"], "nack");
  EXPECT_EQ(nack["id"], "c1");
  EXPECT_EQ(nack["topic"], "dm/2/msg/1");
  EXPECT_EQ(nack["error"], "bad_request");
  EXPECT_EQ(nack["detail"], "\"type\" must be \"text\"");
  const auto anonymous = nlohmann::json::parse(make_nack(std::nullopt, "g/1/rcpt/2", Rejection::rate_limited, ""));
  EXPECT_TRUE(anonymous["id"].is_null());
  EXPECT_EQ(anonymous["error"], "rate_limited");
  EXPECT_EQ(to_string(Rejection::too_large), "too_large");
  EXPECT_EQ(to_string(Rejection::forbidden), "forbidden");
}

}  // namespace
}  // namespace chat::auth
