#include "chat/storage/constraints.hpp"
#include "storage_test_env.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace chat::storage::testing {
namespace {

class MessagesTest : public GroupOfTwoTest {
 protected:
  static NewMessage text(ChatId chat, UserId sender, std::string id, std::string text_json = "{}") {
    NewMessage m;
    m.chat_id = chat;
    m.sender_id = sender;
    m.client_msg_id = std::move(id);
    m.type = MessageType::text;
    m.body = std::move(text_json);
    return m;
  }
};

TEST_F(MessagesTest, AppendsABatchAndReadsItBack) {
  const std::vector<NewMessage> batch{
      text(group_.id, alice_.id, "c-1", R"({"text": "hello"})"),
      text(group_.id, bob_.id, "c-1", R"({"text": "hi alice"})"),  // another sender's c-1
      text(group_.id, alice_.id, "c-2", R"({"text": "how are you?"})"),
  };
  const auto results = store().messages().append_messages(batch);
  ASSERT_EQ(results.size(), 3u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].status, AppendStatus::stored);
    EXPECT_EQ(results[i].chat_id, group_.id);
    EXPECT_EQ(results[i].seq, static_cast<Seq>(i + 1));
    EXPECT_GT(results[i].created_at_ms, 0);
  }
  EXPECT_EQ(store().chats().find(group_.id)->last_seq, 3);

  const auto history = store().messages().history(group_.id, storage::HistoryAnchor::after(0), 50);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].body, R"({"text": "hello"})");
  EXPECT_EQ(history[1].sender_id, bob_.id);
  EXPECT_EQ(history[2].client_msg_id, "c-2");
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].seq, results[i].seq);
    EXPECT_EQ(history[i].created_at_ms, results[i].created_at_ms);
    EXPECT_EQ(history[i].type, MessageType::text);
    EXPECT_FALSE(history[i].deleted());
    if (i > 0) {
      EXPECT_GE(history[i].created_at_ms, history[i - 1].created_at_ms);
    }
  }
}

TEST_F(MessagesTest, HistoryPagesBySeq) {
  std::vector<NewMessage> batch;
  for (int i = 1; i <= 10; ++i) batch.push_back(text(group_.id, alice_.id, "m" + std::to_string(i)));
  store().messages().append_messages(batch);
  const auto page = store().messages().history(group_.id, storage::HistoryAnchor::after(4), 3);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].seq, 5);
  EXPECT_EQ(page[2].seq, 7);
  EXPECT_TRUE(store().messages().history(group_.id, storage::HistoryAnchor::after(10), 5).empty());
  EXPECT_TRUE(store().messages().history(group_.id, storage::HistoryAnchor::after(0), 0).empty());
}

TEST_F(MessagesTest, AResendReturnsTheOriginalSeq) {
  const auto first =
      store().messages().append_messages(std::vector{text(group_.id, alice_.id, "c-7f3a9", R"({"text": "original"})")});
  ASSERT_EQ(first[0].status, AppendStatus::stored);
  store().messages().append_messages(std::vector{text(group_.id, bob_.id, "b-1")});

  const auto resend = store().messages().append_messages(
      std::vector{text(group_.id, alice_.id, "c-7f3a9", R"({"text": "changed on resend"})")});
  EXPECT_EQ(resend[0].status, AppendStatus::duplicate);
  EXPECT_TRUE(resend[0].accepted());
  EXPECT_EQ(resend[0].chat_id, group_.id);
  EXPECT_EQ(resend[0].seq, first[0].seq);
  EXPECT_EQ(resend[0].created_at_ms, first[0].created_at_ms);

  const auto history = store().messages().history(group_.id, storage::HistoryAnchor::after(0), 50);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].body, R"({"text": "original"})");
  EXPECT_EQ(store().chats().find(group_.id)->last_seq, 2);
}

// Client ids follow their messages out (migration 5 replaced the foreign key
// by a statement trigger): a chat's hard deletion takes its messages' ids with
// it, so the same ids can be used again; other chats' ids stay.
TEST_F(MessagesTest, ClientIdsGoWithTheirMessages) {
  const std::vector<UserId> bob{bob_.id};
  const Chat other = store().chats().create_group(alice_.id, "other", bob);
  store().messages().append_messages(std::vector{text(group_.id, alice_.id, "g-1"), text(group_.id, bob_.id, "g-2"),
                                                 text(other.id, alice_.id, "o-1")});
  psql("DELETE FROM chats WHERE id = " + std::to_string(group_.id));
  EXPECT_EQ(psql("SELECT string_agg(client_msg_id, ',' ORDER BY client_msg_id) FROM message_client_ids"), "o-1");
  psql("DELETE FROM messages WHERE chat_id = " + std::to_string(other.id));
  EXPECT_EQ(psql("SELECT count(*) FROM message_client_ids"), "0");
  const auto again = store().messages().append_messages(std::vector{text(other.id, alice_.id, "g-1")});
  EXPECT_EQ(again[0].status, AppendStatus::stored);
  EXPECT_EQ(again[0].seq, 2);  // seqs are never reused: the chat's last_seq stays
}

TEST_F(MessagesTest, ARepeatWithinABatchIsStoredOnce) {
  const auto results = store().messages().append_messages(
      std::vector{text(group_.id, alice_.id, "x"), text(group_.id, alice_.id, "x"), text(group_.id, alice_.id, "y")});
  EXPECT_EQ(results[0].status, AppendStatus::stored);
  EXPECT_EQ(results[1].status, AppendStatus::duplicate);
  EXPECT_EQ(results[1].seq, results[0].seq);
  EXPECT_EQ(results[1].created_at_ms, results[0].created_at_ms);
  EXPECT_EQ(results[2].seq, 2);
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "2");
  EXPECT_EQ(psql("SELECT count(*) FROM message_client_ids"), "2");
}

TEST_F(MessagesTest, RefusesPerMessageAndStoresTheRest) {
  const User eve = make_user("eve");  // not a member
  const Chat gone = store().chats().create_group(alice_.id, "gone", {});
  psql("UPDATE chats SET deleted_at = now() WHERE id = " + std::to_string(gone.id));

  const auto results = store().messages().append_messages(
      std::vector{text(group_.id, eve.id, "e-1"), text(gone.id, alice_.id, "a-1"), text(987654, alice_.id, "a-2"),
                  text(group_.id, alice_.id, "a-3")});
  EXPECT_EQ(results[0].status, AppendStatus::not_member);
  EXPECT_EQ(results[1].status, AppendStatus::chat_deleted);
  EXPECT_EQ(results[2].status, AppendStatus::chat_not_found);
  EXPECT_EQ(results[3].status, AppendStatus::stored);
  EXPECT_EQ(results[3].seq, 1);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(results[i].accepted());
    EXPECT_EQ(results[i].seq, 0);
  }
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "1");

  // A removed member is refused from the next batch on.
  store().chats().remove_member(group_.id, bob_.id);
  EXPECT_EQ(store().messages().append_messages(std::vector{text(group_.id, bob_.id, "b-late")})[0].status,
            AppendStatus::not_member);
}

TEST_F(MessagesTest, AnInvalidPayloadFailsTheWholeBatch) {
  const auto last_seq = [&] { return psql("SELECT last_seq FROM chats WHERE id = " + std::to_string(group_.id)); };
  try {
    store().messages().append_messages(
        std::vector{text(group_.id, alice_.id, "ok-1"), text(group_.id, alice_.id, "ok-2", "[1, 2]")});
    FAIL() << "a non-object body was stored";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::check_violation);
    EXPECT_EQ(error.constraint(), constraint::message_body_format);
  }
  try {
    store().messages().append_messages(std::vector{text(group_.id, alice_.id, "ok-3", "{not json")});
    FAIL() << "invalid JSON was stored";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
  try {
    store().messages().append_messages(std::vector{text(group_.id, alice_.id, "bad id!")});
    FAIL() << "a bad client id was stored";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::check_violation);
    EXPECT_EQ(error.constraint(), constraint::client_msg_id_format);
  }
  EXPECT_EQ(last_seq(), "0");
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "0");
}

// The schema's last word on the contract's `^[A-Za-z0-9_-]{1,64}$` (migration 5
// rewrote the check for speed; the rule must not have moved).
TEST_F(MessagesTest, TheSchemaKeepsTheContractsClientIdRule) {
  const std::string longest(64, 'z');
  EXPECT_NO_THROW(store().messages().append_messages(std::vector{text(group_.id, alice_.id, longest)}));
  EXPECT_NO_THROW(store().messages().append_messages(std::vector{text(group_.id, alice_.id, "A-z_0-9")}));
  for (const std::string& bad : {std::string(65, 'z'), std::string(), std::string("a b"), std::string("caf\u00e9"),
                                 std::string("a\nb"), std::string("a%")}) {
    try {
      store().messages().append_messages(std::vector{text(group_.id, alice_.id, bad)});
      ADD_FAILURE() << "client id \"" << bad << "\" was stored";
    } catch (const DbError& error) {
      EXPECT_EQ(error.code(), DbErrc::check_violation) << bad;
      EXPECT_EQ(error.constraint(), constraint::client_msg_id_format) << bad;
    }
  }
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "2");
}

TEST_F(MessagesTest, PayloadTextRoundTripsAsJson) {
  const std::string body = R"({"text": "'; DROP TABLE messages; -- \"q\" \\ ✓"})";
  store().messages().append_messages(std::vector{text(group_.id, alice_.id, "sql", body)});
  EXPECT_EQ(store().messages().history(group_.id, storage::HistoryAnchor::after(0), 1).at(0).body, body);
  EXPECT_EQ(psql("SELECT body->>'text' FROM messages"), R"('; DROP TABLE messages; -- "q" \ ✓)");
}

TEST_F(MessagesTest, DeletedContentIsWithheldButKeepsItsSeq) {
  store().messages().append_messages(std::vector{text(group_.id, alice_.id, "a", R"({"text": "spam"})"),
                                                 text(group_.id, alice_.id, "b", R"({"text": "fine"})")});
  psql("UPDATE messages SET deleted_at = now() WHERE seq = 1");
  const auto history = store().messages().history(group_.id, storage::HistoryAnchor::after(0), 10);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_TRUE(history[0].deleted());
  EXPECT_EQ(history[0].body, "{}");
  EXPECT_EQ(history[1].body, R"({"text": "fine"})");
}

// 8 writers, each with its own connection, append batches into four shared
// chats (two per batch, so batches overlap without all queuing on the same
// locks), with resends of their own earlier batches, and two pairs of threads
// racing to store the same client ids: one pair into one chat, the other into
// two different chats. Afterwards every chat holds seqs 1..N without a gap or
// a repeat, last_seq is N, every client id is stored once, and everyone who
// sent a given id was told the same (chat, seq).
TEST_F(MessagesTest, SeqsStayGaplessUnderConcurrentWriters) {
  constexpr int kWriters = 8;
  constexpr int kRounds = 20;
  constexpr int kBatch = 4;
  constexpr std::size_t kRegularChats = 4;
  constexpr std::size_t kSharedChat = 4;    // writers 0 and 1 race here
  constexpr std::size_t kCrossedChats = 5;  // writers 2 and 3 race across 5 and 6

  std::vector<User> senders;
  for (int i = 0; i < kWriters; ++i) senders.push_back(make_user("writer_" + std::to_string(i)));
  std::vector<UserId> member_ids;
  for (const User& u : senders) member_ids.push_back(u.id);
  std::vector<ChatId> chats;
  for (int i = 0; i < 7; ++i) chats.push_back(store().chats().create_group(senders[0].id, "c", member_ids).id);

  using Key = std::pair<UserId, std::string>;
  std::mutex mutex;
  std::multimap<Key, std::pair<ChatId, Seq>> reported;
  std::vector<std::string> failures;

  const auto writer = [&](int w) {
    try {
      Store own(conninfo());
      const UserId me = senders[static_cast<std::size_t>(w)].id;
      std::vector<NewMessage> previous;
      for (int r = 0; r < kRounds; ++r) {
        std::vector<NewMessage> batch;
        for (int k = 0; k < kBatch; ++k) {
          const std::size_t chat = static_cast<std::size_t>(w + r + k / 2) % kRegularChats;
          batch.push_back(
              text(chats[chat], me, "w" + std::to_string(w) + "-" + std::to_string(r) + "-" + std::to_string(k)));
        }
        if (r % 5 == 4) batch.insert(batch.end(), previous.begin(), previous.end());  // resend
        if (w < 2) {
          batch.push_back(text(chats[kSharedChat], senders[0].id, "shared-" + std::to_string(r)));
        }
        if (w == 2 || w == 3) {
          batch.push_back(text(chats[kCrossedChats + static_cast<std::size_t>(w - 2)], senders[2].id,
                               "crossed-" + std::to_string(r)));
        }
        const auto results = own.messages().append_messages(batch);
        std::lock_guard lock(mutex);
        for (std::size_t i = 0; i < batch.size(); ++i) {
          if (!results[i].accepted()) {
            failures.push_back("refused " + batch[i].client_msg_id);
            continue;
          }
          reported.emplace(Key{batch[i].sender_id, batch[i].client_msg_id},
                           std::pair{results[i].chat_id, results[i].seq});
        }
        previous = std::move(batch);
      }
    } catch (const std::exception& error) {
      std::lock_guard lock(mutex);
      failures.emplace_back(error.what());
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) threads.emplace_back(writer, w);
  for (auto& t : threads) t.join();
  ASSERT_TRUE(failures.empty()) << failures.front();

  // Everyone who sent a given id was told the same place; no two ids share one.
  std::map<Key, std::pair<ChatId, Seq>> place_of;
  for (const auto& [key, place] : reported) {
    const auto [it, inserted] = place_of.emplace(key, place);
    EXPECT_EQ(it->second, place) << key.second;
  }
  std::set<std::pair<ChatId, Seq>> places;
  for (const auto& [key, place] : place_of) EXPECT_TRUE(places.insert(place).second) << key.second;

  std::size_t total = 0;
  for (const ChatId chat : chats) {
    const auto history = store().messages().history(chat, storage::HistoryAnchor::after(0), 100000);
    for (std::size_t i = 0; i < history.size(); ++i) {
      ASSERT_EQ(history[i].seq, static_cast<Seq>(i + 1)) << "chat " << chat;
      EXPECT_EQ(place_of.at({history[i].sender_id, history[i].client_msg_id}), std::pair(chat, history[i].seq));
    }
    EXPECT_EQ(store().chats().find(chat)->last_seq, static_cast<Seq>(history.size()));
    total += history.size();
  }
  const std::size_t expected = kWriters * kRounds * kBatch + kRounds /*shared*/ + kRounds /*crossed*/;
  EXPECT_EQ(place_of.size(), expected);
  EXPECT_EQ(total, expected);
  EXPECT_EQ(psql("SELECT count(*) FROM message_client_ids"), std::to_string(expected));
}

// The one race the chat locks do not serialize: the same client id sent into
// two different chats at once. The loser waits on the client-id key, fails on
// it once the winner commits, and runs again: it then answers "duplicate"
// with the winner's chat and seq, and stores nothing.
TEST_F(MessagesTest, AResendIntoAnotherChatRacingItsOriginalIsADuplicate) {
  static constexpr Statement kTakeSeq{
      "test.take_seq", "UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1::bigint RETURNING last_seq"};
  static constexpr Statement kInsertMessage{"test.insert_message",
                                            "INSERT INTO messages (chat_id, seq, sender_id, client_msg_id, type) "
                                            "VALUES ($1::bigint, $2::bigint, $3::bigint, $4::text, 'text')"};
  static constexpr Statement kInsertClientId{"test.insert_client_id",
                                             "INSERT INTO message_client_ids (sender_id, client_msg_id, chat_id, seq) "
                                             "VALUES ($1::bigint, $2::text, $3::bigint, $4::bigint)"};
  const Chat other = store().chats().create_group(alice_.id, "other", {});

  std::vector<AppendResult> loser;
  std::thread racer;
  Connection winner(conninfo());
  winner.transaction([&](Connection& tx) {
    const Seq seq = tx.execute(kTakeSeq, group_.id).one().int64("last_seq");
    tx.execute(kInsertMessage, group_.id, seq, alice_.id, "same-id");
    tx.execute(kInsertClientId, alice_.id, "same-id", group_.id, seq);
    // The loser starts while the winner's row is uncommitted, and blocks on it.
    racer = std::thread([&] {
      Store own(conninfo());
      loser = own.messages().append_messages(std::vector{text(other.id, alice_.id, "same-id")});
    });
    const bool waiting = chat::testing::wait_until(
        [&] {
          return psql(
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'") == "1";
        },
        std::chrono::seconds(10));
    EXPECT_TRUE(waiting) << "the second writer never blocked on the first";
  });
  racer.join();

  ASSERT_EQ(loser.size(), 1u);
  EXPECT_EQ(loser[0].status, AppendStatus::duplicate);
  EXPECT_EQ(loser[0].chat_id, group_.id);
  EXPECT_EQ(loser[0].seq, 1);
  EXPECT_EQ(store().chats().find(other.id)->last_seq, 0);
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "1");
}

// Migration 8 checks messages.chat_id once per statement instead of by a
// per-row foreign key; the error is still the key's.
constexpr Statement kInsertTwoMessages{
    "test.insert_two_messages",
    "INSERT INTO messages (chat_id, seq, sender_id, client_msg_id, type) "
    "VALUES ($1::bigint, 100, $3::bigint, 'fk-1', 'text'), ($2::bigint, 1, $3::bigint, 'fk-2', 'text')"};
constexpr Statement kMoveMessage{"test.move_message",
                                 "UPDATE messages SET chat_id = $2::bigint WHERE chat_id = $1::bigint"};
constexpr Statement kDeleteChat{"test.delete_chat", "DELETE FROM chats WHERE id = $1::bigint"};
constexpr ChatId kNoSuchChat = 9'000'000'000;

TEST_F(MessagesTest, AMessageNamingNoChatIsRefusedAsByTheForeignKey) {
  Connection raw(conninfo());
  try {
    raw.execute(kInsertTwoMessages, group_.id, kNoSuchChat, alice_.id);
    ADD_FAILURE() << "a message into a chat that does not exist was stored";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::foreign_key_violation) << error.what();
    EXPECT_EQ(error.constraint(), "messages_chat_id_fkey");
  }
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "0") << "the statement's valid row went with it";

  store().messages().append_messages(std::vector{text(group_.id, alice_.id, "m-1")});
  try {
    raw.execute(kMoveMessage, group_.id, kNoSuchChat);
    ADD_FAILURE() << "a message was moved to a chat that does not exist";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::foreign_key_violation) << error.what();
    EXPECT_EQ(error.constraint(), "messages_chat_id_fkey");
  }
  EXPECT_EQ(psql("SELECT chat_id FROM messages"), std::to_string(group_.id));
}

// What the key's ON DELETE CASCADE did: a chat's deletion takes its messages,
// their client ids and their notification jobs; other chats keep theirs.
TEST_F(MessagesTest, DeletingAChatDeletesItsMessagesAndWhatFollowsThem) {
  const Chat other = store().chats().create_group(alice_.id, "other", std::vector<UserId>{bob_.id});
  store().messages().append_messages_notifying(std::vector{
      text(group_.id, alice_.id, "g-1"), text(group_.id, alice_.id, "g-2"), text(other.id, alice_.id, "o-1")});
  ASSERT_EQ(psql("SELECT count(*) FROM notification_outbox"), "3");  // bob has no online device
  psql("DELETE FROM chats WHERE id = " + std::to_string(group_.id));
  EXPECT_EQ(psql("SELECT string_agg(client_msg_id, ',') FROM messages"), "o-1");
  EXPECT_EQ(psql("SELECT string_agg(client_msg_id, ',') FROM message_client_ids"), "o-1");
  EXPECT_EQ(psql("SELECT string_agg(chat_id || ':' || seq, ',') FROM notification_outbox"),
            std::to_string(other.id) + ":1");
}

// The check locks the chats it finds (FOR KEY SHARE, as the key's check did):
// a deletion waits for the storing transaction and then takes its messages too.
TEST_F(MessagesTest, AChatDeletedWhileAMessageIsStoredTakesThatMessageToo) {
  std::thread deleter;
  Connection writer(conninfo());
  writer.transaction([&](Connection& tx) {
    tx.execute(kInsertTwoMessages, group_.id, group_.id, alice_.id);
    deleter = std::thread([&] {
      Connection own(conninfo());
      own.execute(kDeleteChat, group_.id);
    });
    const bool waiting = chat::testing::wait_until(
        [&] {
          return psql(
                     "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND wait_event_type = 'Lock'") == "1";
        },
        std::chrono::seconds(10));
    EXPECT_TRUE(waiting) << "the deletion did not wait for the storing transaction";
  });
  deleter.join();
  EXPECT_EQ(psql("SELECT count(*) FROM chats WHERE id = " + std::to_string(group_.id)), "0");
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "0") << "a message outlived its chat";
}

}  // namespace
}  // namespace chat::storage::testing
