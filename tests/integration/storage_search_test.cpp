// Message search in storage (MessageStore::search over the search table that
// MessageStore::index_for_search fills, migration 0015_search_side_table.sql)
// against a real PostgreSQL: Latin, Cyrillic and CJK text, only the user's
// current live chats, never a deleted message, an edited one by its latest
// text, LIKE wildcards taken literally, snippets, and paging by cursor; each
// case both ways a search may go (the recent scan, or the index); the
// indexer's walk: what it has not reached is not found, edits and deletions
// reach the copy, a batch bound is kept, and two indexers take turns.
#include "storage_test_env.hpp"

#include <algorithm>

namespace chat::storage::testing {
namespace {

class SearchStoreTest : public StorageTest {
 protected:
  // Stores one text message and returns its seq.
  Seq post(ChatId chat, UserId sender, const std::string& text, MessageType type = MessageType::text) {
    const std::string body = type == MessageType::text ? R"({"text":)" + json_string(text) + "}"
                                                       : R"({"media":{"id":"m1"},"text":)" + json_string(text) + "}";
    const std::vector<NewMessage> batch{{chat, sender, "s" + std::to_string(next_id_++), type, body}};
    const auto results = store().messages().append_messages(batch);
    EXPECT_TRUE(results.at(0).accepted());
    return results.at(0).seq;
  }

  // Brings the search table up to date, as the bridge's indexer does; the
  // number of messages walked.
  std::int64_t index_all() {
    std::int64_t walked = 0;
    for (;;) {
      const SearchIndexRound round = store().messages().index_for_search(1000);
      EXPECT_TRUE(round.ran);
      walked += round.messages;
      if (!round.more) return walked;
    }
  }

  // Indexes what is stored, then searches: by the recent scan first
  // (`newest_first`, the index only when that is not enough) or by the index
  // alone.
  std::vector<SearchHit> search(UserId user, const std::string& text, bool newest_first = false, int limit = 50,
                                std::optional<ChatId> chat = std::nullopt,
                                std::optional<SearchCursor> before = std::nullopt) {
    index_all();
    return search_as_is(user, text, newest_first, limit, chat, before);
  }

  std::vector<SearchHit> search_as_is(UserId user, const std::string& text, bool newest_first = false, int limit = 50,
                                      std::optional<ChatId> chat = std::nullopt,
                                      std::optional<SearchCursor> before = std::nullopt) {
    SearchQuery query;
    query.user = user;
    query.text = text;
    query.chat = chat;
    query.before = before;
    query.limit = limit;
    query.recent_scan_rows = newest_first ? 2000 : 0;
    plan(newest_first);
    return store().messages().search(query);
  }

  // The planner's two ways through a chat in the indexed search, forced (a
  // test's tables are too small for it to choose as it would on a large one):
  // the index's bitmap (the chat's entries and the query's trigrams), or the
  // chat newest first.
  void plan(bool newest_first) {
    static constexpr Statement kSetting{"test.set_config", "SELECT set_config($1::text, $2::text, false)"};
    store().connection().execute(kSetting, "enable_bitmapscan", newest_first ? "off" : "on");
    store().connection().execute(kSetting, "enable_indexscan", newest_first ? "on" : "off");
    store().connection().execute(kSetting, "enable_seqscan", newest_first ? "on" : "off");
  }

  // (chat, seq) of each hit, in the answer's order.
  static std::vector<std::pair<ChatId, Seq>> places(const std::vector<SearchHit>& hits) {
    std::vector<std::pair<ChatId, Seq>> out;
    for (const auto& hit : hits) out.emplace_back(hit.chat_id, hit.seq);
    return out;
  }

  // A JSON string literal for text (quotes and backslashes escaped; the tests'
  // texts have no control characters).
  static std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  void edit(ChatId chat, UserId sender, Seq target, const std::string& text) {
    NewMessage m{chat, sender, "s" + std::to_string(next_id_++), MessageType::edit,
                 R"({"target":)" + std::to_string(target) + R"(,"text":)" + json_string(text) + "}"};
    m.target = target;
    m.edit_text = text;
    const std::vector<NewMessage> batch{m};
    ASSERT_TRUE(store().messages().append_messages(batch).at(0).accepted());
  }

  void delete_for_everyone(ChatId chat, UserId sender, Seq target) {
    NewMessage m{chat, sender, "s" + std::to_string(next_id_++), MessageType::deletion,
                 R"({"target":)" + std::to_string(target) + "}"};
    m.target = target;
    const std::vector<NewMessage> batch{m};
    ASSERT_TRUE(store().messages().append_messages(batch).at(0).accepted());
  }

  std::string search_rows(ChatId chat) {
    return psql(
        "SELECT coalesce(string_agg(seq || ':' || folded_text, ',' ORDER BY seq), '') FROM message_search"
        " WHERE chat_id = " +
        std::to_string(chat));
  }

  int next_id_ = 0;
};

TEST_F(SearchStoreTest, TheDatabaseKeepsNonAsciiLettersInTrigrams) {
  // Under LC_CTYPE C these are empty and Cyrillic is not case-folded.
  EXPECT_NE(psql("SELECT show_trgm('Привет')"), "{}");
  EXPECT_NE(psql("SELECT show_trgm('東京タワー')"), "{}");
  EXPECT_EQ(psql("SELECT lower('ПРИВЕТ')"), "привет");
  // The index can look such a query up (the only way left to the planner here).
  const std::string plan = psql(
      "SET enable_seqscan = off; SET enable_indexscan = off; EXPLAIN SELECT * FROM message_search x"
      " WHERE x.folded_text LIKE '%мир%'");
  EXPECT_NE(plan.find("Bitmap Index Scan on message_search_text_idx"), std::string::npos) << plan;
  // The message path keeps no trigram index (the indexer's copy carries it).
  EXPECT_EQ(psql("SELECT count(*) FROM pg_indexes WHERE tablename = 'messages' AND indexdef LIKE '%gin%'"), "0");
}

TEST_F(SearchStoreTest, ARareTextInALongChatIsLookedUpInTheIndex) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  // 20 chats of 200 messages: one chat is a small part of the table, as in life.
  const std::vector<UserId> ben{b.id};
  std::vector<NewMessage> batch;
  Chat chat;
  for (int c = 0; c < 20; ++c) {
    chat = store().chats().create_group(a.id, "chat " + std::to_string(c), ben);
    for (int i = 0; i < 200; ++i) {
      batch.push_back({chat.id, a.id, "f" + std::to_string(c) + "x" + std::to_string(i), MessageType::text,
                       R"({"text":"filler text number )" + std::to_string(i) + R"("})"});
    }
  }
  store().messages().append_messages(batch);
  post(chat.id, b.id, "the needle in the haystack");
  index_all();
  psql("VACUUM ANALYZE message_search");  // as autovacuum does: merges the pending list too
  // The indexed statement's per-chat step, as the planner sees it with
  // statistics: the chat's entries and the trigrams intersected in the
  // index, rather than the chat newest first (the primary key) until 21 hits.
  const std::string plan = psql(
      "SET enable_seqscan = off; EXPLAIN SELECT * FROM message_search x WHERE x.chat_id = " + std::to_string(chat.id) +
      " AND x.folded_text LIKE '%needle%' ORDER BY x.seq DESC LIMIT 21");
  EXPECT_NE(plan.find("Bitmap Index Scan on message_search_text_idx"), std::string::npos) << plan;
  for (const bool recent : {false, true}) {
    const auto hits = search(a.id, "needle", recent);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].snippet, "the needle in the haystack");
    EXPECT_EQ(search(a.id, "filler", recent, 50).size(), 50u);
  }
}

TEST_F(SearchStoreTest, FindsLatinCyrillicAndCjkCaseInsensitively) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  const Seq latin = post(chat.id, a.id, "Hello World, see you tomorrow");
  const Seq cyrillic = post(chat.id, b.id, "Привет, Мир! Как дела?");
  const Seq cjk = post(chat.id, a.id, "昨日は東京タワーに行きました");
  const Seq caption = post(chat.id, b.id, "Sunset over the Ωmega bay", MessageType::image);
  post(chat.id, b.id, "nothing to see");

  const std::vector<std::pair<ChatId, Seq>> only_latin{{chat.id, latin}};
  EXPECT_EQ(places(search(a.id, "world")), only_latin);
  EXPECT_EQ(places(search(a.id, "WORLD")), only_latin);
  EXPECT_EQ(places(search(a.id, "lo wo")), only_latin);  // across words
  const std::vector<std::pair<ChatId, Seq>> only_cyrillic{{chat.id, cyrillic}};
  EXPECT_EQ(places(search(b.id, "мир")), only_cyrillic);
  EXPECT_EQ(places(search(b.id, "ПРИВЕТ")), only_cyrillic);
  EXPECT_EQ(places(search(b.id, "как дела")), only_cyrillic);
  const std::vector<std::pair<ChatId, Seq>> only_cjk{{chat.id, cjk}};
  EXPECT_EQ(places(search(a.id, "東京タワー")), only_cjk);
  EXPECT_EQ(places(search(a.id, "東京", true)), only_cjk);  // two characters: no trigram
  EXPECT_EQ(places(search(a.id, "行き", true)), only_cjk);
  const std::vector<std::pair<ChatId, Seq>> only_caption{{chat.id, caption}};
  EXPECT_EQ(places(search(a.id, "ωMEGA")), only_caption);
  EXPECT_TRUE(search(a.id, "goodbye").empty());

  // Both statements find the same.
  for (const std::string q : {"world", "мир", "東京タワー", "ωmega", "see"}) {
    EXPECT_EQ(places(search(a.id, q)), places(search(a.id, q, true))) << q;
  }

  const auto hit = search(a.id, "world").at(0);
  EXPECT_EQ(hit.sender_id, a.id);
  EXPECT_GT(hit.created_at_ms, 0);
  EXPECT_EQ(hit.snippet, "Hello World, see you tomorrow");
}

TEST_F(SearchStoreTest, SnippetsAreABoundedExcerptAroundTheMatch) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  std::string before;
  std::string after;
  for (int i = 0; i < 30; ++i) before += "ёжик ";  // 150 characters, 2 bytes for most
  for (int i = 0; i < 30; ++i) after += " lorem";
  post(chat.id, a.id, before + "NEEDLE" + after);
  post(chat.id, a.id, "needle at the start " + after);

  const auto hits = search(a.id, "needle");
  ASSERT_EQ(hits.size(), 2u);
  // Newest first: the second message, cut at the end only.
  EXPECT_EQ(hits[0].snippet, ("needle at the start " + after).substr(0, 6 + 40) + "…");
  // The first: 40 characters either side of the match, "…" at both cuts.
  EXPECT_EQ(hits[1].snippet, "…" + before.substr(before.size() - 8 * std::string("ёжик ").size()) + "NEEDLE" +
                                 after.substr(0, 40) + "…");
}

TEST_F(SearchStoreTest, OnlyTheUsersCurrentLiveChats) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const User c = make_user("cleo");
  const std::vector<UserId> ben_cleo{b.id, c.id};
  const Chat group = store().chats().create_group(a.id, "team", ben_cleo);
  const Chat others = store().chats().open_direct(b.id, c.id);  // anna is not in it
  const std::vector<UserId> ben{b.id};
  const Chat gone = store().chats().create_group(a.id, "gone", ben);
  const Seq in_group = post(group.id, b.id, "the plan for friday");
  post(others.id, b.id, "the plan for saturday");
  post(gone.id, b.id, "the plan for sunday");
  ASSERT_EQ(store().chats().delete_group(gone.id, a.id).status, GroupChangeStatus::ok);

  for (const bool newest_first : {false, true}) {
    const std::vector<std::pair<ChatId, Seq>> only_group{{group.id, in_group}};
    EXPECT_EQ(places(search(a.id, "plan", newest_first)), only_group);
    EXPECT_EQ(search(b.id, "plan", newest_first).size(), 2u);  // group and the direct chat
    // One chat: only that one.
    EXPECT_EQ(places(search(b.id, "plan", newest_first, 50, group.id)), only_group);
    // A chat that is not hers finds nothing (the bridge refuses it before).
    EXPECT_TRUE(search(a.id, "plan", newest_first, 50, others.id).empty());
  }

  // Removed from the group: its messages are no longer found.
  const std::vector<UserId> remove_ben{b.id};
  ASSERT_EQ(store().chats().remove_group_members(group.id, a.id, remove_ben).status, GroupChangeStatus::ok);
  const std::vector<std::pair<ChatId, Seq>> only_direct{{others.id, 1}};
  EXPECT_EQ(places(search(b.id, "plan")), only_direct);
  EXPECT_EQ(places(search(b.id, "plan", true)), only_direct);
}

TEST_F(SearchStoreTest, NeverADeletedMessage) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  const Seq kept = post(chat.id, a.id, "secret one");
  const Seq deleted = post(chat.id, a.id, "secret two");
  ASSERT_TRUE(store().messages().moderate_delete_message(chat.id, deleted));

  const std::vector<std::pair<ChatId, Seq>> only_kept{{chat.id, kept}};
  EXPECT_EQ(places(search(b.id, "secret")), only_kept);
  EXPECT_EQ(places(search(b.id, "secret", true)), only_kept);
  EXPECT_TRUE(search(b.id, "two").empty());
  EXPECT_TRUE(search(b.id, "tw", true).empty());
}

TEST_F(SearchStoreTest, AnEditedMessageIsFoundByItsLatestText) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  const Seq seq = post(chat.id, a.id, "meet at the station");
  EXPECT_EQ(search(b.id, "station").size(), 1u);  // indexed by its first text
  edit(chat.id, a.id, seq, "meet at the harbour");

  // Until the indexer walks the edit, the copy is stale: the old text is
  // never an answer (the recheck against messages), the new one not yet found.
  for (const bool newest_first : {false, true}) {
    EXPECT_TRUE(search_as_is(b.id, "station", newest_first).empty());
    EXPECT_TRUE(search_as_is(b.id, "harbour", newest_first).empty());
  }
  for (const bool newest_first : {false, true}) {
    EXPECT_TRUE(search(b.id, "station", newest_first).empty());
    const auto hits = search(b.id, "harbour", newest_first);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].seq, seq);
    EXPECT_EQ(hits[0].snippet, "meet at the harbour");
  }
}

TEST_F(SearchStoreTest, WildcardsAndSqlInTheQueryAreLiteralText) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  const Seq percent = post(chat.id, a.id, "100% sure");
  post(chat.id, a.id, "1000 sure");
  const Seq underscore = post(chat.id, a.id, "file_name.txt");
  post(chat.id, a.id, "filexname.txt");
  const Seq backslash = post(chat.id, a.id, R"(C:\temp\x)");
  const Seq quote = post(chat.id, a.id, "'; DROP TABLE messages; --");

  for (const bool newest_first : {false, true}) {
    const std::vector<std::pair<ChatId, Seq>> only_percent{{chat.id, percent}};
    EXPECT_EQ(places(search(b.id, "100%", newest_first)), only_percent);
    EXPECT_EQ(places(search(b.id, "%", true)), only_percent);
    const std::vector<std::pair<ChatId, Seq>> only_underscore{{chat.id, underscore}};
    EXPECT_EQ(places(search(b.id, "file_name", newest_first)), only_underscore);
    EXPECT_EQ(places(search(b.id, "_", true)), only_underscore);
    const std::vector<std::pair<ChatId, Seq>> only_backslash{{chat.id, backslash}};
    EXPECT_EQ(places(search(b.id, R"(\temp\)", newest_first)), only_backslash);
    EXPECT_EQ(places(search(b.id, R"(\)", true)), only_backslash);
    const std::vector<std::pair<ChatId, Seq>> only_quote{{chat.id, quote}};
    EXPECT_EQ(places(search(b.id, "'; DROP TABLE messages; --", newest_first)), only_quote);
    EXPECT_TRUE(search(b.id, "' OR '1'='1", newest_first).empty());
  }
  EXPECT_EQ(psql("SELECT count(*) FROM messages"), "6");
}

TEST_F(SearchStoreTest, PagesByCursorNewestFirstWithoutRepeats) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const User c = make_user("cleo");
  const Chat one = store().chats().open_direct(a.id, b.id);
  const Chat two = store().chats().open_direct(a.id, c.id);
  std::vector<std::pair<ChatId, Seq>> expected;
  for (int i = 0; i < 7; ++i) {
    const Chat& chat = i % 2 == 0 ? one : two;
    expected.emplace_back(chat.id, post(chat.id, a.id, "report " + std::to_string(i)));
    post(chat.id, a.id, "nothing else");
  }
  std::reverse(expected.begin(), expected.end());  // newest first
  for (const bool newest_first : {false, true}) {
    for (const std::string q : {"report", "po"}) {
      std::vector<std::pair<ChatId, Seq>> seen;
      std::optional<SearchCursor> cursor;
      for (int page = 0; page < 10; ++page) {
        const auto hits = search(a.id, q, newest_first, 3, std::nullopt, cursor);
        for (const auto& place : places(hits)) seen.push_back(place);
        if (hits.size() < 3) break;
        cursor = hits.back().cursor;
      }
      EXPECT_EQ(seen, expected) << q << " newest_first=" << newest_first;
    }
  }
}

TEST_F(SearchStoreTest, AMessageIsFoundOnceTheIndexerHasWalkedIt) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  const Seq seq = post(chat.id, a.id, "walrus on the beach");
  post(chat.id, a.id, "nothing");
  // Stored, not yet walked: counted as backlog, not found either way.
  EXPECT_EQ(store().messages().search_index_backlog(), 2);
  for (const bool newest_first : {false, true}) EXPECT_TRUE(search_as_is(b.id, "walrus", newest_first).empty());

  const SearchIndexRound round = store().messages().index_for_search(100);
  EXPECT_TRUE(round.ran);
  EXPECT_EQ(round.messages, 2);
  EXPECT_EQ(round.chats, 1);
  EXPECT_FALSE(round.more);
  EXPECT_EQ(store().messages().search_index_backlog(), 0);
  const std::vector<std::pair<ChatId, Seq>> found{{chat.id, seq}};
  for (const bool newest_first : {false, true}) EXPECT_EQ(places(search_as_is(b.id, "walrus", newest_first)), found);
  // Nothing new: the next round walks nothing.
  EXPECT_EQ(store().messages().index_for_search(100).messages, 0);
}

TEST_F(SearchStoreTest, TheIndexerKeepsItsBatchBoundAndCatchesUpRoundByRound) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat one = store().chats().open_direct(a.id, b.id);
  const std::vector<UserId> ben{b.id};
  const Chat two = store().chats().create_group(a.id, "two", ben);
  for (int i = 0; i < 25; ++i) post(one.id, a.id, "parrot " + std::to_string(i));
  for (int i = 0; i < 5; ++i) post(two.id, a.id, "parrot in two " + std::to_string(i));

  std::int64_t walked = 0;
  int rounds = 0;
  for (bool more = true; more; ++rounds) {
    const SearchIndexRound round = store().messages().index_for_search(10);
    ASSERT_TRUE(round.ran);
    EXPECT_LE(round.messages, 10);
    walked += round.messages;
    more = round.more;
    ASSERT_LT(rounds, 10);
  }
  EXPECT_EQ(walked, 30);
  EXPECT_GE(rounds, 3);
  EXPECT_EQ(search(b.id, "parrot", false, 50).size(), 30u);
  EXPECT_EQ(search(b.id, "parrot", true, 50).size(), 30u);
}

TEST_F(SearchStoreTest, EditsAndDeletionsForEveryoneReachTheCopy) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  const Seq edited = post(chat.id, a.id, "lunch at noon");
  const Seq deleted = post(chat.id, a.id, "lunch is cancelled");
  const Seq photo = post(chat.id, a.id, "lunch photo", MessageType::image);
  index_all();
  EXPECT_EQ(search_rows(chat.id), std::to_string(edited) + ":lunch at noon," + std::to_string(deleted) +
                                      ":lunch is cancelled," + std::to_string(photo) + ":lunch photo");

  // An edit and a deletion of messages the indexer walked long ago, and an
  // edit of a message in the same walk as the edit itself.
  edit(chat.id, a.id, edited, "lunch at one");
  delete_for_everyone(chat.id, a.id, deleted);
  const Seq late = post(chat.id, a.id, "dinner at eight");
  edit(chat.id, a.id, late, "dinner at nine");
  // Before the walk the deleted one is already never found (the recheck).
  for (const bool newest_first : {false, true}) {
    EXPECT_TRUE(search_as_is(b.id, "cancelled", newest_first).empty());
  }
  index_all();
  // The actions themselves are not copied; the targets' copies are current.
  EXPECT_EQ(search_rows(chat.id), std::to_string(edited) + ":lunch at one," + std::to_string(photo) + ":lunch photo," +
                                      std::to_string(late) + ":dinner at nine");
  for (const bool newest_first : {false, true}) {
    const std::vector<std::pair<ChatId, Seq>> lunch{{chat.id, photo}, {chat.id, edited}};
    EXPECT_EQ(places(search_as_is(b.id, "lunch", newest_first)), lunch);
    const std::vector<std::pair<ChatId, Seq>> dinner{{chat.id, late}};
    EXPECT_EQ(places(search_as_is(b.id, "nine", newest_first)), dinner);
    EXPECT_TRUE(search_as_is(b.id, "eight", newest_first).empty());
  }
}

TEST_F(SearchStoreTest, DeletingMessagesAndChatsTakesTheirSearchRows) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const std::vector<UserId> ben{b.id};
  const Chat chat = store().chats().create_group(a.id, "short lived", ben);
  post(chat.id, a.id, "ephemeral words");
  index_all();
  ASSERT_EQ(psql("SELECT count(*) FROM message_search WHERE chat_id = " + std::to_string(chat.id)), "1");
  psql("DELETE FROM chats WHERE id = " + std::to_string(chat.id));
  EXPECT_EQ(psql("SELECT count(*) FROM message_search WHERE chat_id = " + std::to_string(chat.id)), "0");
  EXPECT_EQ(psql("SELECT count(*) FROM message_search_progress WHERE chat_id = " + std::to_string(chat.id)), "0");
}

TEST_F(SearchStoreTest, OneIndexerAtATime) {
  const User a = make_user("anna");
  const User b = make_user("ben");
  const Chat chat = store().chats().open_direct(a.id, b.id);
  post(chat.id, a.id, "turn taking");
  // Another indexer (another bridge) holds the turn in its transaction.
  Store other(conninfo());
  static constexpr Statement kHoldTurn{"test.hold_search_turn",
                                       "SELECT pg_advisory_xact_lock(hashtext('chat.message_search'))"};
  other.connection().transaction([&](Connection& tx) {
    tx.execute(kHoldTurn);
    const SearchIndexRound round = store().messages().index_for_search(100);
    EXPECT_FALSE(round.ran);
    EXPECT_EQ(round.messages, 0);
  });
  // Its turn over, the walk goes on.
  EXPECT_EQ(store().messages().index_for_search(100).messages, 1);
}

}  // namespace
}  // namespace chat::storage::testing
