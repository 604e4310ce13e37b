// The one-round-trip append's forecast without a database (append_forecast.hpp
// is private to chat::storage; this suite sees storage/src on purpose).
#include "append_forecast.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace chat::storage::detail {
namespace {

NewMessage message(ChatId chat, UserId sender, std::string client_id) {
  NewMessage m;
  m.chat_id = chat;
  m.sender_id = sender;
  m.client_msg_id = std::move(client_id);
  return m;
}

AppendKeys keys_of(const std::vector<NewMessage>& batch) { return collect_append_keys(batch); }

// A forecast that knows chat 7 (last_seq 10) with members 1 and 2.
AppendForecast knowing_chat_7() {
  AppendForecast forecast;
  const std::vector<ChatState> chats{{7, 10, false, {}}};
  const std::vector<Membership> members{{7, 1, true}, {7, 2, false}};
  forecast.learn(chats, members, {});
  return forecast;
}

TEST(AppendForecast, KnowsNothingAtFirst) {
  AppendForecast forecast;
  EXPECT_FALSE(forecast.predict(keys_of({message(7, 1, "a")})));
}

TEST(AppendForecast, PredictsWhatItLearnedAndWhatItAdvanced) {
  AppendForecast forecast = knowing_chat_7();
  auto reads = forecast.predict(keys_of({message(7, 1, "a"), message(7, 2, "b")}));
  ASSERT_TRUE(reads);
  ASSERT_EQ(reads->chats.size(), 1u);
  EXPECT_EQ(reads->chats[0].id, 7);
  EXPECT_EQ(reads->chats[0].last_seq, 10);
  EXPECT_FALSE(reads->chats[0].deleted);
  ASSERT_EQ(reads->memberships.size(), 2u);

  const std::vector<ChatId> chats{7};
  const std::vector<Seq> seqs{12};
  const std::vector<std::int64_t> counts{9};
  forecast.advance({chats, seqs, counts});
  reads = forecast.predict(keys_of({message(7, 1, "c")}));
  ASSERT_TRUE(reads);
  EXPECT_EQ(reads->chats[0].last_seq, 12);
  EXPECT_EQ(reads->chats[0].content_count, 9);
}

TEST(AppendForecast, LearnTakesTheLastSeqTheTransactionLeft) {
  AppendForecast forecast;
  const std::vector<ChatState> chats{{7, 10, false, {}, 6}};
  const std::vector<Membership> members{{7, 1, false}};
  const std::vector<ChatId> advanced{7};
  const std::vector<Seq> last_seqs{15};
  const std::vector<std::int64_t> counts{8};
  forecast.learn(chats, members, {advanced, last_seqs, counts});
  const auto reads = forecast.predict(keys_of({message(7, 1, "a")}));
  ASSERT_TRUE(reads);
  EXPECT_EQ(reads->chats[0].last_seq, 15);
  EXPECT_EQ(reads->chats[0].content_count, 8) << "unread counts read it: the forecast must carry it";
}

TEST(AppendForecast, LearnKeepsTheContentCountItRead) {
  AppendForecast forecast;
  const std::vector<ChatState> chats{{7, 10, false, {}, 4}};
  const std::vector<Membership> members{{7, 1, false}};
  forecast.learn(chats, members, {});
  const auto reads = forecast.predict(keys_of({message(7, 1, "a")}));
  ASSERT_TRUE(reads);
  EXPECT_EQ(reads->chats[0].content_count, 4);
}

TEST(AppendForecast, UnknownSenderOrChatOrATargetMeansReading) {
  AppendForecast forecast = knowing_chat_7();
  EXPECT_FALSE(forecast.predict(keys_of({message(7, 3, "a")})));  // never seen as a member
  EXPECT_FALSE(forecast.predict(keys_of({message(7, 1, "a"), message(8, 1, "b")})));
  NewMessage reply = message(7, 1, "r");
  reply.reply_to = 3;
  EXPECT_FALSE(forecast.predict(keys_of({reply})));
  NewMessage reaction = message(7, 1, "x");
  reaction.type = MessageType::reaction;
  reaction.target = 4;
  reaction.emoji = "+";
  EXPECT_FALSE(forecast.predict(keys_of({reaction})));
}

TEST(AppendForecast, RefusingChatsAreNotForecast) {
  AppendForecast forecast;
  const std::vector<ChatState> chats{{7, 10, true, {}}, {8, 3, false, {42}}};
  const std::vector<Membership> members{{7, 1, false}, {8, 1, false}};
  forecast.learn(chats, members, {});
  EXPECT_FALSE(forecast.predict(keys_of({message(7, 1, "a")})));  // deleted
  EXPECT_FALSE(forecast.predict(keys_of({message(8, 1, "a")})));  // a member's account deleted
}

TEST(AppendForecast, AMissForgetsTheChatsAndBacksOff) {
  AppendForecast forecast = knowing_chat_7();
  const std::vector<ChatId> chats{7};
  forecast.missed(chats);
  EXPECT_EQ(forecast.misses(), 1u);
  EXPECT_EQ(forecast.known_chats(), 0u);
  // Relearned by the two-round-trip path, but the next batch still reads (1 skipped).
  const std::vector<ChatState> states{{7, 20, false, {}}};
  const std::vector<Membership> members{{7, 1, false}};
  forecast.learn(states, members, {});
  EXPECT_FALSE(forecast.predict(keys_of({message(7, 1, "a")})));
  const auto reads = forecast.predict(keys_of({message(7, 1, "a")}));
  ASSERT_TRUE(reads);
  EXPECT_EQ(reads->chats[0].last_seq, 20);
  // The member that was not read again is forgotten with its chat.
  EXPECT_FALSE(forecast.predict(keys_of({message(7, 2, "a")})));
}

TEST(AppendForecast, ConsecutiveMissesDoubleTheBatchesThatReadUntilOneHolds) {
  const std::vector<ChatId> chats{7};
  const std::vector<Seq> seqs{11};
  const std::vector<std::int64_t> counts{11};
  const std::vector<ChatState> states{{7, 10, false, {}}};
  const std::vector<Membership> members{{7, 1, false}};
  const auto skipped_after = [&](AppendForecast& forecast, int misses) {
    for (int i = 0; i < misses; ++i) {
      forecast.missed(chats);
      forecast.learn(states, members, {});  // the two-round-trip path that follows a miss
    }
    int skipped = 0;
    while (!forecast.predict(keys_of({message(7, 1, "a")}))) ++skipped;
    return skipped;
  };
  AppendForecast forecast = knowing_chat_7();
  EXPECT_EQ(skipped_after(forecast, 1), 1);
  EXPECT_EQ(skipped_after(forecast, 2), 7);  // three misses in a run
  forecast.advance({chats, seqs, counts});   // a forecast held
  EXPECT_EQ(skipped_after(forecast, 1), 1);
  EXPECT_EQ(skipped_after(forecast, 20), 1023);
}

TEST(AppendForecast, ClearsPastItsBound) {
  AppendForecast forecast(/*max_entries=*/2);
  const std::vector<ChatState> chats{{1, 0, false, {}}, {2, 0, false, {}}, {3, 0, false, {}}};
  forecast.learn(chats, {}, {});
  EXPECT_EQ(forecast.known_chats(), 0u);
}

}  // namespace
}  // namespace chat::storage::detail
