// The `search` request over MQTT against the real thing (docs/protocol.md,
// "Conversation features", "Search"): mosquitto with the auth plugin, the
// chat-bridge binary, PostgreSQL. Only the caller's current chats (a removed
// member, or one who left, no longer finds the group's messages), never a
// deleted message, Latin/Cyrillic/CJK text, paging by `next`, and bad or
// hostile arguments;
// the bridge's search indexer: a message is found once it has walked it
// (after its ack), and a restarted bridge indexes what was stored unindexed.
#include "bridge_test_env.hpp"

#include "chat/testing/environment.hpp"

#include <algorithm>

namespace chat::bridge::testing {
namespace {

using nlohmann::json;

std::string group_topic(std::int64_t chat, std::int64_t from) {
  return "g/" + std::to_string(chat) + "/msg/" + std::to_string(from);
}
std::string dm_topic(std::int64_t to, std::int64_t from) {
  return "dm/" + std::to_string(to) + "/msg/" + std::to_string(from);
}

std::string error_code(const json& answer) {
  if (!answer.is_object() || answer.value("ok", true)) return "ok";
  return answer["error"].value("code", "?");
}

// (chat, seq) of each hit.
std::vector<std::pair<std::int64_t, std::int64_t>> places(const json& answer) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& hit : answer["result"]["hits"]) {
    out.emplace_back(hit["chat"].get<std::int64_t>(), hit["seq"].get<std::int64_t>());
  }
  return out;
}

class BridgeSearch : public BridgeTest {
 protected:
  void SetUp() override {
    BridgeTest::SetUp();
    bridge_ = start_bridge();
    anna_ = make_user("anna");
    ben_ = make_user("ben");
    cleo_ = make_user("cleo");
    devices_ = clients({anna_.id, ben_.id, cleo_.id});
  }
  ChatClient& anna() { return *devices_[0]; }
  ChatClient& ben() { return *devices_[1]; }
  ChatClient& cleo() { return *devices_[2]; }

  // A group of anna's with ben and cleo. The broker's plugin learns of a new
  // membership a moment after the bridge answers (docs/protocol.md): a
  // subscription it grants shows that anna and ben may publish there.
  std::int64_t make_group() {
    const json created = anna().request("chat.create", {{"title", "team"}, {"members", {ben_.id, cleo_.id}}});
    EXPECT_TRUE(created.value("ok", false)) << created;
    const auto chat = created["result"]["chat"]["id"].get<std::int64_t>();
    const std::string filter = "g/" + std::to_string(chat) + "/#";
    EXPECT_TRUE(anna().subscribe_with_retry(filter, 10s));
    EXPECT_TRUE(ben().subscribe_with_retry(filter, 10s));
    return chat;
  }
  // Publishes a text message and waits for its ack; returns its seq.
  std::int64_t send(ChatClient& device, const std::string& topic, const std::string& text) {
    const std::string id = "s" + std::to_string(next_id_++);
    device.send(topic, id, text);
    EXPECT_TRUE(device.wait_answer(id, 10s));
    const auto acks = device.acks_of(id);
    EXPECT_EQ(acks.size(), 1u) << device.nack_of(id).value_or("no nack");
    return acks.empty() ? 0 : acks[0].seq;
  }
  // The same, then waits for the search indexer to walk it (a message is
  // findable a short lag after its ack: docs/protocol.md, "Search").
  std::int64_t post(ChatClient& device, const std::string& topic, const std::string& text) {
    const auto seq = send(device, topic, text);
    EXPECT_TRUE(indexed());
    return seq;
  }
  // Messages stored and not yet walked by the search indexer.
  std::int64_t unindexed() const {
    return psql_int(
        "SELECT coalesce(sum(c.last_seq - coalesce(p.indexed_seq, 0)), 0) FROM chats c"
        " LEFT JOIN message_search_progress p ON p.chat_id = c.id");
  }
  // Waits until the indexer has walked everything stored.
  bool indexed() const {
    return chat::testing::wait_until([this] { return unindexed() == 0; }, 20s);
  }

  std::unique_ptr<BridgeProcess> bridge_;
  storage::User anna_, ben_, cleo_;
  std::vector<std::unique_ptr<ChatClient>> devices_;
  int next_id_ = 0;
};

TEST_F(BridgeSearch, FindsOnlyInTheCallersCurrentChats) {
  const auto group = make_group();
  const auto in_group = post(ben(), group_topic(group, ben_.id), "the quarterly report draft");
  post(anna(), dm_topic(cleo_.id, anna_.id), "a report for cleo only");  // ben is not in this chat

  const json found = ben().request("search", {{"q", "REPORT"}});
  ASSERT_TRUE(found.value("ok", false)) << found;
  ASSERT_EQ(found["result"]["hits"].size(), 1u) << found;
  const json& hit = found["result"]["hits"][0];
  EXPECT_EQ(hit["chat"], group);
  EXPECT_EQ(hit["seq"], in_group);
  EXPECT_EQ(hit["from"], ben_.id);
  EXPECT_GT(hit["ts"].get<std::int64_t>(), 0);
  EXPECT_EQ(hit["snippet"], "the quarterly report draft");
  EXPECT_EQ(found["result"]["more"], false);
  EXPECT_TRUE(found["result"]["next"].is_null());
  EXPECT_EQ(anna().request("search", {{"q", "report"}})["result"]["hits"].size(), 2u);
  EXPECT_EQ(places(anna().request("search", {{"q", "report"}, {"chat", group}})),
            (std::vector<std::pair<std::int64_t, std::int64_t>>{{group, in_group}}));

  // Removed from the group: its messages are no longer found by ben.
  const json removed = anna().request("chat.remove", {{"chat", group}, {"users", {ben_.id}}});
  ASSERT_TRUE(removed.value("ok", false)) << removed;
  const json after = ben().request("search", {{"q", "report"}});
  ASSERT_TRUE(after.value("ok", false)) << after;
  EXPECT_TRUE(after["result"]["hits"].empty()) << after;
  EXPECT_EQ(error_code(ben().request("search", {{"q", "report"}, {"chat", group}})), "forbidden");
}

// A member who leaves a group by itself (chat.remove of oneself) no longer
// finds its messages; those who stay still do.
TEST_F(BridgeSearch, AChatTheUserLeftIsNotSearched) {
  const auto group = make_group();
  const auto seq = post(anna(), group_topic(group, anna_.id), "the lighthouse keeper's log");
  using Places = std::vector<std::pair<std::int64_t, std::int64_t>>;
  ASSERT_EQ(places(cleo().request("search", {{"q", "lighthouse"}})), (Places{{group, seq}}));

  const json left = cleo().request("chat.remove", {{"chat", group}, {"users", {cleo_.id}}});
  ASSERT_TRUE(left.value("ok", false)) << left;
  const json after = cleo().request("search", {{"q", "lighthouse"}});
  ASSERT_TRUE(after.value("ok", false)) << after;
  EXPECT_TRUE(after["result"]["hits"].empty()) << after;
  EXPECT_EQ(error_code(cleo().request("search", {{"q", "lighthouse"}, {"chat", group}})), "forbidden");
  EXPECT_EQ(places(ben().request("search", {{"q", "lighthouse"}})), (Places{{group, seq}}));
}

TEST_F(BridgeSearch, NeverADeletedMessage) {
  const auto group = make_group();
  const auto kept = post(anna(), group_topic(group, anna_.id), "launch code alpha");
  const auto deleted = post(anna(), group_topic(group, anna_.id), "launch code omega");
  ASSERT_TRUE(store().messages().moderate_delete_message(group, deleted));
  EXPECT_EQ(places(ben().request("search", {{"q", "launch code"}})),
            (std::vector<std::pair<std::int64_t, std::int64_t>>{{group, kept}}));
  EXPECT_TRUE(ben().request("search", {{"q", "omega"}})["result"]["hits"].empty());
  EXPECT_TRUE(ben().request("search", {{"q", "om"}})["result"]["hits"].empty());  // the short-query path
}

// Edits and deletions for everyone are messages over MQTT (docs/protocol.md,
// "Messages that act on messages"): an edited message is found by its latest
// text only, a deleted one never, and the action messages are no hits.
TEST_F(BridgeSearch, AnEditedMessageIsFoundByItsLatestTextAndADeletedOneNever) {
  const auto group = make_group();
  const auto seq = post(anna(), group_topic(group, anna_.id), "meet at the station");
  const auto act = [&](const json& action) {
    anna().send_json(group_topic(group, anna_.id), action);
    const std::string id = action["id"];
    ASSERT_TRUE(anna().wait_answer(id, 10s));
    EXPECT_EQ(anna().acks_of(id).size(), 1u) << anna().nack_of(id).value_or("no nack");
  };
  act({{"id", "edit1"}, {"type", "edit"}, {"target", seq}, {"text", "meet at the harbour"}});
  ASSERT_TRUE(indexed());

  const json harbour = ben().request("search", {{"q", "harbour"}});
  ASSERT_EQ(places(harbour), (std::vector<std::pair<std::int64_t, std::int64_t>>{{group, seq}})) << harbour;
  EXPECT_EQ(harbour["result"]["hits"][0]["snippet"], "meet at the harbour");
  EXPECT_TRUE(ben().request("search", {{"q", "station"}})["result"]["hits"].empty());

  act({{"id", "delete1"}, {"type", "delete"}, {"target", seq}});
  // Never found from its ack on (the search rechecks every hit), indexed or not.
  EXPECT_TRUE(ben().request("search", {{"q", "harbour"}})["result"]["hits"].empty());
  ASSERT_TRUE(indexed());
  EXPECT_TRUE(psql_int("SELECT count(*) FROM message_search WHERE chat_id = " + std::to_string(group)) == 0);
  EXPECT_TRUE(ben().request("search", {{"q", "harbour"}})["result"]["hits"].empty());
  EXPECT_TRUE(ben().request("search", {{"q", "meet"}})["result"]["hits"].empty());
}

TEST_F(BridgeSearch, LatinCyrillicAndCjk) {
  const auto group = make_group();
  const auto latin = post(anna(), group_topic(group, anna_.id), "Café au lait, s'il vous plaît");
  const auto cyrillic = post(anna(), group_topic(group, anna_.id), "Привет, Мир! Как дела?");
  const auto cjk = post(anna(), group_topic(group, anna_.id), "明日は東京タワーで会いましょう");
  using Places = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(places(ben().request("search", {{"q", "CAFÉ"}})), (Places{{group, latin}}));
  EXPECT_EQ(places(ben().request("search", {{"q", "мир"}})), (Places{{group, cyrillic}}));
  EXPECT_EQ(places(ben().request("search", {{"q", "東京タワー"}})), (Places{{group, cjk}}));
  EXPECT_EQ(places(ben().request("search", {{"q", "東京"}})), (Places{{group, cjk}}));  // two characters
  EXPECT_EQ(places(ben().request("search", {{"q", "京"}})), (Places{{group, cjk}}));    // one
  EXPECT_EQ(ben().request("search", {{"q", "мир"}})["result"]["hits"][0]["snippet"], "Привет, Мир! Как дела?");
}

TEST_F(BridgeSearch, PagesWithNextUntilNoMore) {
  const auto group = make_group();
  std::vector<std::pair<std::int64_t, std::int64_t>> expected;
  for (int i = 0; i < 5; ++i) {
    expected.emplace_back(group, post(anna(), group_topic(group, anna_.id), "note " + std::to_string(i)));
    post(anna(), group_topic(group, anna_.id), "something else");
  }
  std::reverse(expected.begin(), expected.end());  // newest first
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;
  json args{{"q", "note"}, {"limit", 2}};
  for (int page = 0; page < 5; ++page) {
    const json answer = ben().request("search", args);
    ASSERT_TRUE(answer.value("ok", false)) << answer;
    for (const auto& place : places(answer)) seen.push_back(place);
    if (!answer["result"]["more"].get<bool>()) {
      EXPECT_TRUE(answer["result"]["next"].is_null());
      break;
    }
    ASSERT_TRUE(answer["result"]["next"].is_string()) << answer;
    args["before"] = answer["result"]["next"];
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(BridgeSearch, BadArgumentsAreRefusedAndHostileQueriesAreText) {
  const auto group = make_group();
  const auto percent = post(anna(), group_topic(group, anna_.id), "100% done");
  post(anna(), group_topic(group, anna_.id), "1000 done");

  EXPECT_EQ(error_code(ben().request("search", json::object())), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", ""}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "   "}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", 7}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", std::string(101, 'a')}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", std::string(100, 'a')}})), "ok");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"limit", 0}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"limit", 51}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"limit", 50}})), "ok");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"chat", std::to_string(group)}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"before", "yesterday"}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"before", 5}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"sort", "asc"}})), "bad_request");
  EXPECT_EQ(error_code(ben().request("search", {{"q", "done"}, {"chat", 999999}})), "not_found");

  using Places = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(places(ben().request("search", {{"q", "100%"}})), (Places{{group, percent}}));
  EXPECT_EQ(places(ben().request("search", {{"q", "%"}})), (Places{{group, percent}}));
  EXPECT_TRUE(ben().request("search", {{"q", "_"}})["result"]["hits"].empty());
  for (const std::string hostile : {"'; DROP TABLE messages; --", "' OR '1'='1", "\\", "%%%%", "_%_"}) {
    const json answer = ben().request("search", {{"q", hostile}});
    EXPECT_EQ(error_code(answer), "ok") << hostile << " " << answer;
    EXPECT_TRUE(answer["result"]["hits"].empty()) << hostile << " " << answer;
  }
  EXPECT_EQ(psql_int("SELECT count(*) FROM messages"), 2);
}

// The lag: acked first, then found once the indexer has walked it. The wait
// is for the answer that must come, bounded only so that a broken indexer
// fails the test instead of hanging it.
TEST_F(BridgeSearch, AMessageIsFoundShortlyAfterItsAck) {
  const auto group = make_group();
  const auto seq = send(anna(), group_topic(group, anna_.id), "an albatross overhead");
  json answer;
  ASSERT_TRUE(chat::testing::wait_until(
      [&] {
        answer = ben().request("search", {{"q", "albatross"}});
        return !answer["result"]["hits"].empty();
      },
      20s, 50ms))
      << answer;
  EXPECT_EQ(places(answer), (std::vector<std::pair<std::int64_t, std::int64_t>>{{group, seq}}));
  EXPECT_EQ(unindexed(), 0);
}

// Messages stored while no bridge indexed them (here a bridge with its
// indexer off, as when the indexer was down or behind at a stop) are indexed
// by the next bridge that runs one.
TEST_F(BridgeSearch, ARestartedBridgeIndexesWhatWasStoredUnindexed) {
  const auto group = make_group();
  ASSERT_TRUE(indexed());
  ASSERT_EQ(bridge_->terminate(), 0);
  bridge_ = start_bridge({"--search-index-batch", "0"});
  std::vector<std::pair<std::int64_t, std::int64_t>> expected;
  for (int i = 0; i < 3; ++i)
    expected.emplace_back(group, send(anna(), group_topic(group, anna_.id), "kestrel " + std::to_string(i)));
  std::reverse(expected.begin(), expected.end());
  // Stored and acked, not indexed: no indexer runs, so none is found yet.
  EXPECT_EQ(unindexed(), 3);
  EXPECT_TRUE(ben().request("search", {{"q", "kestrel"}})["result"]["hits"].empty());

  ASSERT_EQ(bridge_->terminate(), 0);
  bridge_ = start_bridge();
  ASSERT_TRUE(indexed());
  const json answer = ben().request("search", {{"q", "kestrel"}});
  EXPECT_EQ(places(answer), expected) << answer;
}

// The indexer merges the index's pending list after each round, which needs
// the search table's owner (docs/bridge.md, "Search", the database role).
// Here the bridge runs as a plain login role with the grants a deployment
// that migrated as another role would give it: not owning message_search it
// still indexes and says once that it cannot merge; owning it (as the role
// that ran the migrations, scripts/stack's, does), it merges.
TEST_F(BridgeSearch, TheIndexerMergesAsTheBridgesRoleWhenItOwnsTheSearchTable) {
  const auto group = make_group();
  cluster().psql("postgres",
                 "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chat_bridge_role') THEN"
                 " CREATE ROLE chat_bridge_role LOGIN; END IF; END $$");
  psql(
      "GRANT CREATE ON SCHEMA public TO chat_bridge_role;"  // the bridge's migration check at start
      " GRANT ALL ON ALL TABLES IN SCHEMA public TO chat_bridge_role;"
      " GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO chat_bridge_role;"
      " CREATE EXTENSION IF NOT EXISTS pgstattuple");
  const auto pending_pages = [&] {
    return psql_int("SELECT pending_pages FROM pgstatginindex('message_search_text_idx')");
  };
  ASSERT_EQ(bridge_->terminate(), 0);
  bridge_ = start_bridge({"--database-url", conninfo() + " user=chat_bridge_role"});

  post(anna(), group_topic(group, anna_.id), "a heron by the weir");
  EXPECT_TRUE(chat::testing::wait_until(
      [&] { return bridge_->log().find("does not own message_search") != std::string::npos; }, 10s))
      << bridge_->log();
  EXPECT_GT(pending_pages(), 0);  // left to autovacuum
  using Places = std::vector<std::pair<std::int64_t, std::int64_t>>;
  EXPECT_EQ(places(ben().request("search", {{"q", "heron"}})).size(), 1u);

  psql("ALTER TABLE message_search OWNER TO chat_bridge_role");
  const auto seq = post(anna(), group_topic(group, anna_.id), "a kingfisher by the weir");
  EXPECT_EQ(pending_pages(), 0);  // merged in the round that indexed it
  EXPECT_EQ(places(ben().request("search", {{"q", "kingfisher"}})), (Places{{group, seq}}));
  EXPECT_EQ(places(ben().request("search", {{"q", "weir"}})).size(), 2u);
}

}  // namespace
}  // namespace chat::bridge::testing
