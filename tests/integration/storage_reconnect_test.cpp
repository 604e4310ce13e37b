// What happens to a Store and a Connection when PostgreSQL goes away and
// comes back: at most one call fails (connection_lost), then the same object
// works again; the retrying transaction helper rides over it.
#include "storage_test_env.hpp"

#include <functional>

namespace chat::storage::testing {
namespace {

class ReconnectTest : public StorageTest {};

constexpr Statement kCountUsers{"test.count_users", "SELECT count(*) AS n FROM users"};
constexpr Statement kInsertUser{"test.insert_user", "INSERT INTO users (username) VALUES ($1::text)"};

// Calls fn until it succeeds, allowing at most one connection_lost before.
template <class F>
void succeeds_after_at_most_one_lost_connection(F&& fn) {
  int lost = 0;
  for (;;) {
    try {
      fn();
      return;
    } catch (const DbError& error) {
      ASSERT_EQ(error.code(), DbErrc::connection_lost) << error.what();
      ASSERT_TRUE(error.retryable());
      ASSERT_LT(++lost, 2) << "the connection did not come back: " << error.what();
    }
  }
}

TEST_F(ReconnectTest, TheSameStoreWorksAfterAServerRestart) {
  const User alice = make_user("alice");
  cluster().restart();
  succeeds_after_at_most_one_lost_connection([&] { EXPECT_TRUE(store().users().find(alice.id)); });
  // Statements are prepared again on the new session.
  EXPECT_EQ(store().users().find_by_username("alice")->user.id, alice.id);
  EXPECT_EQ(make_user("bob").username, "bob");
}

TEST_F(ReconnectTest, TheSameStoreWorksAfterACrash) {
  const User alice = make_user("alice");
  cluster().kill_hard();
  cluster().start();  // crash recovery
  succeeds_after_at_most_one_lost_connection([&] { EXPECT_TRUE(store().users().find(alice.id)); });
  EXPECT_TRUE(store().users().find(alice.id));
}

TEST_F(ReconnectTest, TransactionsRetryAcrossARestart) {
  const User alice = make_user("alice");
  const User bob = make_user("bob");
  const Chat chat = store().chats().open_direct(alice.id, bob.id);
  cluster().restart();

  // append_messages runs in the retrying transaction helper: no error at all.
  NewMessage message;
  message.chat_id = chat.id;
  message.sender_id = alice.id;
  message.client_msg_id = "after-restart";
  message.body = R"({"text": "still here"})";
  const auto results = store().messages().append_messages(std::vector{message});
  ASSERT_EQ(results.at(0).status, AppendStatus::stored);
  EXPECT_EQ(results[0].seq, 1);
}

TEST_F(ReconnectTest, ALostTransactionIsRunAgainFromTheStart) {
  Connection connection(conninfo());
  int attempts = 0;
  const std::int64_t users = connection.transaction([&](Connection& tx) {
    ++attempts;
    tx.execute(kInsertUser, "attempt_" + std::to_string(attempts));
    if (attempts == 1) {
      // The server goes away in the middle of the transaction: the next
      // statement fails, and nothing of this attempt may survive.
      cluster().restart();
    }
    return tx.execute(kCountUsers).one().int64("n");
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(users, 1);
  EXPECT_EQ(psql("SELECT string_agg(username, ',') FROM users"), "attempt_2");
  EXPECT_FALSE(connection.in_transaction());
}

TEST_F(ReconnectTest, OutsideATransactionNothingIsRetriedSilently) {
  Connection connection(conninfo());
  connection.execute(kInsertUser, "before");
  cluster().restart();
  // The write is not re-sent on the caller's behalf: it fails once, visibly.
  try {
    connection.execute(kInsertUser, "lost");
    FAIL() << "a statement on a dead connection succeeded";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::connection_lost);
  }
  connection.execute(kInsertUser, "after");
  EXPECT_EQ(psql("SELECT string_agg(username, ',' ORDER BY id) FROM users"), "before,after");
}

TEST_F(ReconnectTest, AnUnreachableServerIsAConnectionError) {
  try {
    Connection unreachable("host=127.0.0.1 port=1 user=postgres dbname=x connect_timeout=2");
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::connection_lost);
  }
  try {
    Connection malformed("host=127.0.0.1 port");
    FAIL();
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
}

TEST_F(ReconnectTest, TransactionsDoNotNest) {
  Connection connection(conninfo());
  EXPECT_THROW(connection.transaction([](Connection& tx) { tx.transaction([](Connection&) {}); }), std::logic_error);
  EXPECT_FALSE(connection.in_transaction());
  EXPECT_EQ(connection.execute(kCountUsers).one().int64("n"), 0);
}

TEST_F(ReconnectTest, ACaughtErrorCannotBeCommittedOver) {
  Connection connection(conninfo());
  connection.execute(kInsertUser, "taken");
  try {
    connection.transaction([](Connection& tx) {
      tx.execute(kInsertUser, "fresh");
      try {
        tx.execute(kInsertUser, "taken");
      } catch (const DbError&) {
        // swallowed: the transaction is aborted nonetheless
      }
    });
    FAIL() << "an aborted transaction reported success";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::internal);
  }
  EXPECT_EQ(psql("SELECT string_agg(username, ',') FROM users"), "taken");
}

}  // namespace
}  // namespace chat::storage::testing
