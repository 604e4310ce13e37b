// The one-round-trip append (storage/src/append_forecast.hpp, migration 14)
// against a real PostgreSQL: a batch whose chats the store knows commits in
// one round trip with the results the two-round-trip path gives; anything the
// forecast did not expect (a resend, another writer, an ended membership, a
// deleted chat) is caught by the check after the chat lock, rolled back, and
// stored by the two-round-trip path with the same results as ever.
#include "storage_test_env.hpp"

#include <string>
#include <vector>

namespace chat::storage::testing {
namespace {

class AppendForecastTest : public GroupOfTwoTest {
 protected:
  void SetUp() override {
    GroupOfTwoTest::SetUp();
    carol_ = make_user("carol");  // not a member of the group
  }

  NewMessage text(UserId sender, std::string id) const {
    NewMessage m;
    m.chat_id = group_.id;
    m.sender_id = sender;
    m.client_msg_id = std::move(id);
    m.body = R"({"text": "hi"})";
    return m;
  }

  std::vector<AppendResult> append(const std::vector<NewMessage>& batch) {
    return store().messages().append_messages(batch);
  }
  AppendPathCounts counts() { return store().messages().append_path_counts(); }
  std::string seqs_in_database() {
    return psql("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM messages WHERE chat_id = " +
                std::to_string(group_.id));
  }

  User carol_;
};

TEST_F(AppendForecastTest, AKnownChatCommitsInOneRoundTripWithTheSameResults) {
  const auto first = append({text(alice_.id, "a1"), text(bob_.id, "b1")});
  EXPECT_EQ(counts().two_round_trips, 1u) << "nothing to forecast from yet";
  ASSERT_EQ(first.at(1).seq, 2);

  // A repeat inside the batch is decided without the database.
  const auto second = append({text(alice_.id, "a2"), text(bob_.id, "b2"), text(alice_.id, "a2")});
  EXPECT_EQ(counts().one_round_trip, 1u);
  EXPECT_EQ(counts().forecast_missed, 0u);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].status, AppendStatus::stored);
  EXPECT_EQ(second[0].seq, 3);
  EXPECT_EQ(second[1].status, AppendStatus::stored);
  EXPECT_EQ(second[1].seq, 4);
  EXPECT_EQ(second[2].status, AppendStatus::duplicate);
  EXPECT_EQ(second[2].seq, 3);
  EXPECT_EQ(second[2].created_at_ms, second[0].created_at_ms);
  EXPECT_GT(second[0].created_at_ms, 0);
  EXPECT_EQ(store().chats().find(group_.id)->last_seq, 4);
  EXPECT_EQ(seqs_in_database(), "1,2,3,4");
  EXPECT_EQ(psql("SELECT count(*) FROM message_client_ids"), "4");

  // Notification jobs travel in the same pipeline.
  const auto notified = store().messages().append_messages_notifying(std::vector{text(bob_.id, "b3")});
  EXPECT_EQ(counts().one_round_trip, 2u);
  EXPECT_EQ(notified.at(0).seq, 5);
  EXPECT_EQ(psql("SELECT string_agg(user_id || ':' || seq, ',') FROM notification_outbox"),
            std::to_string(alice_.id) + ":5");
}

TEST_F(AppendForecastTest, AResendMissesTheForecastAndIsAnsweredWithItsOriginal) {
  const auto original = append({text(alice_.id, "a1")});
  append({text(alice_.id, "a2")});
  ASSERT_EQ(counts().one_round_trip, 1u);

  const auto resent = append({text(alice_.id, "a3"), text(alice_.id, "a1")});
  EXPECT_EQ(counts().forecast_missed, 1u);
  EXPECT_EQ(counts().one_round_trip, 1u);
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_EQ(resent[0].status, AppendStatus::stored);
  EXPECT_EQ(resent[0].seq, 3) << "the rolled-back forecast took no seq";
  EXPECT_EQ(resent[1].status, AppendStatus::duplicate);
  EXPECT_EQ(resent[1].seq, 1);
  EXPECT_EQ(resent[1].created_at_ms, original.at(0).created_at_ms);
  EXPECT_EQ(seqs_in_database(), "1,2,3");
}

// The brief's mixed batch: a resend, an action, a reply and a non-member in
// one batch after the forecast held, with the results of the two-round-trip path.
TEST_F(AppendForecastTest, AMixedBatchAfterForecastsGetsTheTwoRoundTripResults) {
  append({text(alice_.id, "a1"), text(bob_.id, "b0")});
  append({text(bob_.id, "b1")});
  ASSERT_EQ(counts().one_round_trip, 1u);

  NewMessage reaction = text(bob_.id, "r1");
  reaction.type = MessageType::reaction;
  reaction.body = R"({"target": 1, "emoji": "👍"})";
  reaction.target = 1;
  reaction.emoji = "👍";
  NewMessage reply = text(alice_.id, "a3");
  reply.body = R"({"text": "re", "reply_to": 2})";
  reply.reply_to = 2;
  const auto results = append({text(alice_.id, "a2"), text(bob_.id, "b1"), reaction, text(carol_.id, "c1"), reply});
  EXPECT_EQ(counts().forecast_missed, 0u) << "a batch naming targets is not forecast";
  EXPECT_EQ(counts().two_round_trips, 2u);
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].status, AppendStatus::stored);
  EXPECT_EQ(results[0].seq, 4);
  EXPECT_EQ(results[1].status, AppendStatus::duplicate);
  EXPECT_EQ(results[1].seq, 3);
  EXPECT_EQ(results[2].status, AppendStatus::stored);
  EXPECT_EQ(results[2].seq, 5);
  EXPECT_EQ(results[3].status, AppendStatus::not_member);
  EXPECT_EQ(results[3].seq, 0);
  EXPECT_EQ(results[4].status, AppendStatus::stored);
  EXPECT_EQ(results[4].seq, 6);
  EXPECT_EQ(psql("SELECT count(*) FROM message_reactions"), "1");

  // The two-round-trip path refreshed the forecast: plain texts go in one again.
  const auto next = append({text(alice_.id, "a4"), text(bob_.id, "b2")});
  EXPECT_EQ(counts().one_round_trip, 2u);
  EXPECT_EQ(next.at(1).seq, 8);
  EXPECT_EQ(seqs_in_database(), "1,2,3,4,5,6,7,8");

  // Unread counts read each row's running count of messages of content (v13):
  // both paths keep it, the reaction (seq 5) counts nothing.
  EXPECT_EQ(psql("SELECT string_agg(content_count::text, ',' ORDER BY seq) FROM messages WHERE chat_id = " +
                 std::to_string(group_.id)),
            "1,2,3,4,4,5,6,7");
  EXPECT_EQ(psql("SELECT content_count FROM chats WHERE id = " + std::to_string(group_.id)), "7");
}

TEST_F(AppendForecastTest, AnotherWriterMakesTheForecastMissAndSeqsStayGapless) {
  append({text(alice_.id, "a1")});
  append({text(alice_.id, "a2")});
  ASSERT_EQ(counts().one_round_trip, 1u);

  Store other(conninfo());  // another writer (a second bridge instance)
  ASSERT_EQ(other.messages().append_messages(std::vector{text(bob_.id, "b1")}).at(0).seq, 3);

  const auto after = append({text(alice_.id, "a3")});
  EXPECT_EQ(counts().forecast_missed, 1u);
  EXPECT_EQ(after.at(0).status, AppendStatus::stored);
  EXPECT_EQ(after.at(0).seq, 4);
  append({text(alice_.id, "a4")});  // backing off after the miss: read first
  const auto held = append({text(alice_.id, "a5")});
  EXPECT_EQ(counts().one_round_trip, 2u);
  EXPECT_EQ(held.at(0).seq, 6);
  EXPECT_EQ(seqs_in_database(), "1,2,3,4,5,6");
}

TEST_F(AppendForecastTest, AnEndedMembershipAndADeletedChatAreSeenAfterTheLock) {
  append({text(bob_.id, "b1")});
  append({text(bob_.id, "b2")});
  ASSERT_EQ(counts().one_round_trip, 1u);

  store().chats().remove_member(group_.id, bob_.id);
  const auto refused = append({text(bob_.id, "b3")});
  EXPECT_EQ(counts().forecast_missed, 1u);
  EXPECT_EQ(refused.at(0).status, AppendStatus::not_member);

  append({text(alice_.id, "a1")});  // backing off: read, and learn alice
  append({text(alice_.id, "a2")});
  ASSERT_EQ(counts().one_round_trip, 2u);
  store().chats().delete_group(group_.id, alice_.id);
  const auto deleted = append({text(alice_.id, "a3")});
  EXPECT_EQ(counts().forecast_missed, 2u);
  EXPECT_EQ(deleted.at(0).status, AppendStatus::chat_deleted);
  EXPECT_EQ(seqs_in_database(), "1,2,3,4");
}

}  // namespace
}  // namespace chat::storage::testing
