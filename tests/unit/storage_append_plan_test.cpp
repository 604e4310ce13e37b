// The decisions of Store::append_messages without a database (append_plan.hpp
// is private to chat::storage; this suite sees storage/src on purpose).
#include "append_plan.hpp"

#include <gtest/gtest.h>

#include <map>
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

TEST(PlanAppend, CollectedKeysDeduplicateAndSortChats) {
  const std::vector<NewMessage> batch{message(9, 1, "a"), message(3, 1, "b"), message(9, 2, "a"), message(9, 1, "a")};
  const AppendKeys keys = collect_append_keys(batch);
  EXPECT_EQ(keys.chat_ids, (std::vector<ChatId>{3, 9}));
  EXPECT_EQ(keys.member_chat_ids, (std::vector<ChatId>{3, 9, 9}));
  EXPECT_EQ(keys.member_user_ids, (std::vector<UserId>{1, 1, 2}));
  EXPECT_EQ(keys.client_sender_ids, (std::vector<UserId>{1, 1, 2}));
  EXPECT_EQ(keys.client_msg_ids, (std::vector<std::string_view>{"a", "b", "a"}));
}

TEST(PlanAppend, AssignsConsecutiveSeqsPerChatInBatchOrder) {
  const std::vector<NewMessage> batch{message(1, 7, "a"), message(2, 7, "b"), message(1, 7, "c")};
  const std::vector<ChatState> chats{{1, 10, false}, {2, 0, false}};
  const std::vector<Membership> members{{1, 7}, {2, 7}};
  const AppendPlan plan = plan_append(batch, chats, members, {});

  ASSERT_EQ(plan.results.size(), 3u);
  EXPECT_EQ(plan.results[0].seq, 11);
  EXPECT_EQ(plan.results[1].seq, 1);
  EXPECT_EQ(plan.results[2].seq, 12);
  for (const auto& r : plan.results) EXPECT_EQ(r.status, AppendStatus::stored);
  EXPECT_EQ(plan.inserts, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(plan.advanced_chat_ids, (std::vector<ChatId>{1, 2}));
  EXPECT_EQ(plan.advanced_last_seqs, (std::vector<Seq>{12, 1}));
}

TEST(PlanAppend, StoredBeforeIsADuplicateOfTheOriginal) {
  const std::vector<NewMessage> batch{message(1, 7, "old"), message(1, 7, "new")};
  const std::vector<ChatState> chats{{1, 5, false}};
  const std::vector<Membership> members{{1, 7}};
  // The original went to chat 4 (a client reusing an id for another chat).
  const std::vector<StoredClientId> stored{{7, "old", 4, 2}};
  AppendPlan plan = plan_append(batch, chats, members, stored);

  EXPECT_EQ(plan.results[0].status, AppendStatus::duplicate);
  EXPECT_EQ(plan.results[0].chat_id, 4);
  EXPECT_EQ(plan.results[0].seq, 2);
  EXPECT_EQ(plan.results[1].status, AppendStatus::stored);
  EXPECT_EQ(plan.results[1].seq, 6);  // the duplicate used no seq
  EXPECT_EQ(plan.inserts, (std::vector<std::size_t>{1}));
  EXPECT_EQ(plan.duplicates, (std::vector<std::size_t>{0}));

  // The original's server time, read in the write round trip.
  complete_append(plan, {{{4, 2}, 1700000000000}, {{1, 6}, 1800000000000}});
  EXPECT_EQ(plan.results[0].created_at_ms, 1700000000000);
  EXPECT_EQ(plan.results[1].created_at_ms, 1800000000000);
}

TEST(PlanAppend, ARepeatOfAResendGetsTheOriginalsTime) {
  const std::vector<NewMessage> batch{message(1, 7, "old"), message(1, 7, "old")};
  const std::vector<ChatState> chats{{1, 5, false}};
  const std::vector<Membership> members{{1, 7}};
  AppendPlan plan = plan_append(batch, chats, members, std::vector<StoredClientId>{{7, "old", 1, 3}});
  EXPECT_EQ(plan.duplicates, (std::vector<std::size_t>{0}));
  EXPECT_TRUE(plan.inserts.empty());
  complete_append(plan, {{{1, 3}, 42}});
  EXPECT_EQ(plan.results[1].status, AppendStatus::duplicate);
  EXPECT_EQ(plan.results[1].created_at_ms, 42);
  AppendPlan without_time = plan_append(batch, chats, members, std::vector<StoredClientId>{{7, "old", 1, 3}});
  EXPECT_THROW(complete_append(without_time, {}), std::logic_error);
}

TEST(PlanAppend, RepeatWithinTheBatchIsStoredOnce) {
  const std::vector<NewMessage> batch{message(1, 7, "x"), message(1, 7, "x"), message(1, 8, "x")};
  const std::vector<ChatState> chats{{1, 0, false}};
  const std::vector<Membership> members{{1, 7}, {1, 8}};
  AppendPlan plan = plan_append(batch, chats, members, {});

  EXPECT_EQ(plan.results[0].status, AppendStatus::stored);
  EXPECT_EQ(plan.results[1].status, AppendStatus::duplicate);
  EXPECT_EQ(plan.results[1].seq, 1);
  // Another sender's "x" is another message.
  EXPECT_EQ(plan.results[2].status, AppendStatus::stored);
  EXPECT_EQ(plan.results[2].seq, 2);
  EXPECT_EQ(plan.inserts, (std::vector<std::size_t>{0, 2}));

  complete_append(plan, {{{1, 1}, 111}, {{1, 2}, 222}});
  EXPECT_EQ(plan.results[0].created_at_ms, 111);
  EXPECT_EQ(plan.results[1].created_at_ms, 111);
  EXPECT_EQ(plan.results[2].created_at_ms, 222);
}

TEST(PlanAppend, RefusesPerMessageAndStoresTheRest) {
  const std::vector<NewMessage> batch{message(1, 7, "a"), message(2, 7, "b"), message(3, 7, "c"), message(1, 9, "d"),
                                      message(1, 7, "e")};
  const std::vector<ChatState> chats{{1, 0, false}, {2, 3, true}};  // chat 3 does not exist
  const std::vector<Membership> members{{1, 7}, {2, 7}};
  const AppendPlan plan = plan_append(batch, chats, members, {});

  EXPECT_EQ(plan.results[0].status, AppendStatus::stored);
  EXPECT_EQ(plan.results[1].status, AppendStatus::chat_deleted);
  EXPECT_EQ(plan.results[2].status, AppendStatus::chat_not_found);
  EXPECT_EQ(plan.results[3].status, AppendStatus::not_member);
  EXPECT_EQ(plan.results[4].status, AppendStatus::stored);
  EXPECT_EQ(plan.results[4].seq, 2);  // refusals leave no gap
  for (const std::size_t i : {1u, 2u, 3u}) {
    EXPECT_EQ(plan.results[i].seq, 0);
    EXPECT_FALSE(plan.results[i].accepted());
  }
  EXPECT_EQ(plan.advanced_chat_ids, (std::vector<ChatId>{1}));
  EXPECT_EQ(plan.advanced_last_seqs, (std::vector<Seq>{2}));
}

TEST(PlanAppend, ARepeatOfARefusedMessageIsRefusedToo) {
  const std::vector<NewMessage> batch{message(1, 9, "a"), message(1, 9, "a")};
  const std::vector<ChatState> chats{{1, 0, false}};
  const AppendPlan plan = plan_append(batch, chats, {}, {});
  EXPECT_EQ(plan.results[0].status, AppendStatus::not_member);
  EXPECT_EQ(plan.results[1].status, AppendStatus::not_member);
  EXPECT_TRUE(plan.inserts.empty());
  EXPECT_TRUE(plan.advanced_chat_ids.empty());
}

TEST(PlanAppend, ADuplicateWinsOverARefusal) {
  // The sender was removed after the original was stored: the resend is still
  // acknowledged with the original seq, since it is the same message.
  const std::vector<NewMessage> batch{message(1, 7, "a")};
  const std::vector<ChatState> chats{{1, 4, true}};
  const std::vector<StoredClientId> stored{{7, "a", 1, 4}};
  const AppendPlan plan = plan_append(batch, chats, {}, stored);
  EXPECT_EQ(plan.results[0].status, AppendStatus::duplicate);
  EXPECT_EQ(plan.results[0].seq, 4);
}

// A direct chat keeps a deleted account as member, but nothing new goes in:
// neither from it nor to it; the other chats of the batch are stored.
TEST(PlanAppend, RefusesDirectChatsWithADeletedAccount) {
  const std::vector<NewMessage> batch{message(1, 7, "to-gone"), message(2, 9, "from-gone"), message(3, 7, "ok")};
  const std::vector<ChatState> chats{{1, 4, false, {8}}, {2, 0, false, {9}}, {3, 0, false, {}}};
  const std::vector<Membership> members{{1, 7}, {2, 9}, {3, 7}};
  const AppendPlan plan = plan_append(batch, chats, members, {});

  EXPECT_EQ(plan.results[0].status, AppendStatus::recipient_deleted);
  EXPECT_EQ(plan.results[1].status, AppendStatus::sender_deleted);
  EXPECT_EQ(plan.results[2].status, AppendStatus::stored);
  EXPECT_EQ(plan.inserts, (std::vector<std::size_t>{2}));
  EXPECT_EQ(plan.advanced_chat_ids, (std::vector<ChatId>{3}));
}

TEST(PlanAppend, CompletingWithoutServerTimeIsABug) {
  const std::vector<NewMessage> batch{message(1, 7, "a")};
  const std::vector<ChatState> chats{{1, 0, false}};
  const std::vector<Membership> members{{1, 7}};
  AppendPlan plan = plan_append(batch, chats, members, {});
  EXPECT_THROW(complete_append(plan, {}), std::logic_error);
}

}  // namespace
}  // namespace chat::storage::detail
