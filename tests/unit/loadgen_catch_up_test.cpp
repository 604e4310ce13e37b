// chat-loadgen's core, no broker, no network. Catch-up through requests (sync mode): chat lists page by page, then sync
// from the cursors held.
#include "chat/loadgen/catch_up.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace chat::loadgen {
namespace {

std::string sync_answer(const std::string& id, const nlohmann::json& chats, bool more) {
  return nlohmann::json{
      {"id", id}, {"ok", true}, {"result", {{"chats", chats}, {"membership", nlohmann::json::array()}, {"more", more}}}}
      .dump();
}

nlohmann::json messages(std::uint64_t from, std::uint64_t to) {
  nlohmann::json list = nlohmann::json::array();
  for (auto seq = from; seq <= to; ++seq) list.push_back({{"seq", seq}, {"id", "m" + std::to_string(seq)}});
  return list;
}

TEST(LoadgenCatchUp, ListsPageByPageThenSyncsFromTheCursorsItHolds) {
  CatchUp c;
  EXPECT_EQ(nlohmann::json::parse(c.chat_list_request("l1")),
            nlohmann::json::parse(R"({"id":"l1","op":"chat.list","args":{"after":0}})"));
  ASSERT_TRUE(c.take_chat_list(
      R"({"id":"l1","ok":true,"result":{"chats":[{"id":5,"last_seq":3},{"id":9,"last_seq":2}],"more":true}})"));
  EXPECT_FALSE(c.listing_done());
  EXPECT_EQ(nlohmann::json::parse(c.chat_list_request("l2"))["args"]["after"], 9);
  ASSERT_TRUE(c.take_chat_list(R"({"id":"l2","ok":true,"result":{"chats":[{"id":12,"last_seq":0}],"more":false}})"));
  EXPECT_TRUE(c.listing_done());
  EXPECT_EQ(c.chats(), 3U);
  EXPECT_EQ(c.expected(), 5U);

  EXPECT_EQ(nlohmann::json::parse(c.sync_request("s1"))["args"]["cursors"],
            nlohmann::json::parse(R"({"5":0,"9":0,"12":0})"));
  ASSERT_TRUE(c.take_sync(sync_answer("s1", {{{"chat", 5}, {"messages", messages(1, 2)}, {"more", true}}}, true)));
  EXPECT_FALSE(c.sync_done());
  EXPECT_EQ(nlohmann::json::parse(c.sync_request("s2"))["args"]["cursors"]["5"], 2);
  ASSERT_TRUE(c.take_sync(sync_answer("s2",
                                      {{{"chat", 5}, {"messages", messages(3, 3)}, {"more", false}},
                                       {{"chat", 9}, {"messages", messages(1, 2)}, {"more", false}}},
                                      false)));
  EXPECT_TRUE(c.sync_done());
  EXPECT_EQ(c.received(), 5U);
  EXPECT_EQ(c.missing(), 0U);
  EXPECT_EQ(c.out_of_order(), 0U);
  EXPECT_EQ(c.sync_requests(), 2U);
  EXPECT_EQ(c.list_requests(), 2U);
}

TEST(LoadgenCatchUp, CountsGapsAndRefusesFailedAnswers) {
  CatchUp c;
  ASSERT_TRUE(c.take_chat_list(R"({"id":"l1","ok":true,"result":{"chats":[{"id":5,"last_seq":4}],"more":false}})"));
  nlohmann::json skipping = messages(1, 1);
  skipping.push_back({{"seq", 3}});
  ASSERT_TRUE(c.take_sync(sync_answer("s1", {{{"chat", 5}, {"messages", skipping}, {"more", false}}}, false)));
  EXPECT_EQ(c.out_of_order(), 1U);
  EXPECT_EQ(c.missing(), 1U) << "seq 4 never came";
  EXPECT_FALSE(c.take_sync(R"({"id":"s2","ok":false,"error":{"code":"internal","message":"busy"}})"));
  EXPECT_FALSE(c.take_chat_list("not json"));
  EXPECT_EQ(CatchUp::answer_id(R"({"id":"s9","ok":true})"), "s9");
  EXPECT_FALSE(CatchUp::answer_id(R"({"id":null,"ok":false})"));
}

}  // namespace
}  // namespace chat::loadgen
