// chat-admin's chats API against a real PostgreSQL: groups and direct chats,
// members, history pages, moderation (also as the bridge's history reads
// it), statistics.
#include "admin_test_env.hpp"

#include <set>

namespace chat::admin::testing {
namespace {

std::int64_t id_of(const json& record) { return record["id"].get<std::int64_t>(); }
std::string chats(std::int64_t id, const std::string& rest = {}) {
  return "/v1/admin/chats/" + std::to_string(id) + rest;
}

class AdminChatsTest : public AdminTest {
 protected:
  static void SetUpTestSuite() { start_suite(); }
};

TEST_F(AdminChatsTest, GroupsAreCreatedWithTheirMembers) {
  const json owner = create_user(unique("owner"));
  std::vector<std::int64_t> members;
  for (int i = 0; i < 4; ++i) members.push_back(id_of(create_user(unique("m"))));
  const Reply created =
      post("/v1/admin/chats", {{"kind", "group"}, {"title", "Team ✓"}, {"owner", id_of(owner)}, {"members", members}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json& chat = created.data;
  EXPECT_EQ(chat["kind"], "group");
  EXPECT_EQ(chat["title"], "Team ✓");
  EXPECT_EQ(chat["owner"], id_of(owner));
  EXPECT_EQ(chat["member_count"], 5);
  EXPECT_EQ(chat["last_seq"], 0);
  EXPECT_EQ(created.header("Location"), chats(id_of(chat)));
  EXPECT_EQ(get(chats(id_of(chat))).data, chat);
  EXPECT_EQ(get("/v1/admin/chats/987654321").status, 404);

  // Members in pages of two, by uid, the owner marked.
  std::vector<std::int64_t> seen;
  std::string path = chats(id_of(chat), "/members?limit=2");
  for (;;) {
    const Reply page = get(path);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_LE(page.data["items"].size(), 2u);
    for (const json& member : page.data["items"]) {
      seen.push_back(member["uid"]);
      EXPECT_EQ(member["role"], member["uid"] == id_of(owner) ? "owner" : "member");
      EXPECT_FALSE(member["username"].get<std::string>().empty());
    }
    if (page.data["next"].is_null()) break;
    path = chats(id_of(chat), "/members?limit=2&cursor=" + page.data["next"].get<std::string>());
  }
  std::vector<std::int64_t> expected = members;
  expected.push_back(id_of(owner));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(get("/v1/admin/chats/987654321/members").status, 404);
}

TEST_F(AdminChatsTest, ChatFieldsAreValidated) {
  const json owner = create_user(unique("owner"));
  const auto expect = [](const json& body, int status, const std::string& field) {
    const Reply reply = post("/v1/admin/chats", body);
    EXPECT_EQ(reply.status, status) << body.dump() << " -> " << reply.body;
    EXPECT_EQ(reply.error_field(), field) << body.dump() << " -> " << reply.body;
  };
  expect({{"owner", id_of(owner)}}, 400, "title");
  expect({{"title", ""}, {"owner", id_of(owner)}}, 400, "title");
  expect({{"title", std::string(129, 't')}, {"owner", id_of(owner)}}, 400, "title");
  expect({{"title", "t"}}, 400, "owner");
  expect({{"title", "t"}, {"owner", "1"}}, 400, "owner");
  expect({{"title", "t"}, {"owner", 987654321}}, 404, "owner");
  expect({{"title", "t"}, {"owner", id_of(owner)}, {"members", {987654321}}}, 404, "members");
  expect({{"title", "t"}, {"owner", id_of(owner)}, {"members", {0}}}, 400, "members");
  expect({{"title", "t"}, {"owner", id_of(owner)}, {"members", "1,2"}}, 400, "members");
  expect({{"title", "t"}, {"owner", id_of(owner)}, {"kind", "channel"}}, 400, "kind");
  expect({{"title", "t"}, {"owner", id_of(owner)}, {"topic", "x"}}, 400, "topic");
  expect({{"kind", "direct"}, {"members", {id_of(owner)}}}, 400, "members");
  expect({{"kind", "direct"}, {"members", {id_of(owner), id_of(owner)}}}, 400, "members");
  expect({{"kind", "direct"}, {"title", "x"}, {"members", {id_of(owner), 1}}}, 400, "title");
  EXPECT_EQ(get("/v1/admin/chats?kind=channel").error_field(), "kind");
}

TEST_F(AdminChatsTest, DirectChatsAreOnePerPairAndKeepTheirMembers) {
  const json a = create_user(unique("a"));
  const json b = create_user(unique("b"));
  const Reply first = post("/v1/admin/chats", {{"kind", "direct"}, {"members", {id_of(a), id_of(b)}}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.data["kind"], "direct");
  EXPECT_EQ(first.data["owner"], nullptr);
  EXPECT_EQ(first.data["member_count"], 2);
  const Reply again = post("/v1/admin/chats", {{"kind", "direct"}, {"members", {id_of(b), id_of(a)}}});
  EXPECT_EQ(again.data["id"], first.data["id"]);

  const json c = create_user(unique("c"));
  const Reply add = post(chats(id_of(first.data), "/members"), {{"user", id_of(c)}});
  EXPECT_EQ(add.status, 409);
  EXPECT_EQ(add.error_code(), "conflict");
  EXPECT_EQ(call("DELETE", chats(id_of(first.data), "/members/" + std::to_string(id_of(a)))).status, 409);
}

TEST_F(AdminChatsTest, MembersAreAddedAndRemoved) {
  const json owner = create_user(unique("owner"));
  const json user = create_user(unique("user"));
  const json chat = create_group(id_of(owner), {});
  const std::string members = chats(id_of(chat), "/members");

  Reply reply = post(members, {{"user", id_of(user)}});
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.data["added"], true);
  reply = post(members, {{"user", id_of(user)}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.data["added"], false);
  EXPECT_EQ(get(chats(id_of(chat))).data["member_count"], 2);
  EXPECT_EQ(psql("SELECT count(*) FROM chat_members WHERE chat_id = " + std::to_string(id_of(chat))), "2");

  EXPECT_EQ(post(members, {{"user", 987654321}}).status, 404);
  EXPECT_EQ(post(members, {{"user", "x"}}).error_field(), "user");
  EXPECT_EQ(post(members, json::object()).error_field(), "user");
  EXPECT_EQ(post("/v1/admin/chats/987654321/members", {{"user", id_of(user)}}).status, 404);

  const std::string member = members + "/" + std::to_string(id_of(user));
  reply = call("DELETE", member);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.data["removed"], true);
  EXPECT_EQ(call("DELETE", member).status, 404);
  // The owner stays (its account can be disabled or deleted instead).
  reply = call("DELETE", members + "/" + std::to_string(id_of(owner)));
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(get(chats(id_of(chat))).data["member_count"], 1);
}

TEST_F(AdminChatsTest, AFullGroupRefusesANewMember) {
  const json owner = create_user(unique("owner"));
  const json late = create_user(unique("late"));
  const json chat = create_group(id_of(owner), {});
  const std::string group = std::to_string(id_of(chat));
  // The other 999 members by SQL: fast, and not through the path under test.
  psql("WITH u AS (INSERT INTO users (username, display_name) SELECT '" + unique("fill") +
       "_' || n, 'filler' "
       "FROM generate_series(1, 999) AS n RETURNING id) "
       "INSERT INTO chat_members (chat_id, user_id, role) SELECT " +
       group + ", id, 'member' FROM u");
  const std::string count_sql = "SELECT count(*) FROM chat_members WHERE chat_id = " + group;
  ASSERT_EQ(psql(count_sql), "1000");

  const std::string members = chats(id_of(chat), "/members");
  const Reply refused = post(members, {{"user", id_of(late)}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.error_field(), "user");
  EXPECT_EQ(psql(count_sql), "1000");
  EXPECT_EQ(post(members, {{"user", id_of(owner)}}).data["added"], false);  // a member already: not refused

  // With room again, the same request goes through.
  const std::string one = psql("SELECT min(user_id) FROM chat_members WHERE role = 'member' AND chat_id = " + group);
  ASSERT_EQ(call("DELETE", members + "/" + one).status, 200);
  EXPECT_EQ(post(members, {{"user", id_of(late)}}).status, 201);
  EXPECT_EQ(psql(count_sql), "1000");
}

TEST_F(AdminChatsTest, ChatsAreListedInPagesByKind) {
  const json owner = create_user(unique("lister"));
  for (int i = 0; i < 3; ++i) create_group(id_of(owner), {});
  post("/v1/admin/chats", {{"kind", "direct"}, {"members", {id_of(owner), id_of(create_user(unique("peer")))}}});

  const auto walk = [](const std::string& base) {
    std::vector<std::int64_t> ids;
    std::string path = base;
    for (int guard = 0; guard < 1000; ++guard) {
      const Reply page = get(path);
      EXPECT_EQ(page.status, 200) << page.body;
      for (const json& chat : page.data["items"]) ids.push_back(chat["id"].get<std::int64_t>());
      if (page.data["next"].is_null()) break;
      path = base + "&cursor=" + page.data["next"].get<std::string>();
    }
    return ids;
  };
  const auto all = walk("/v1/admin/chats?limit=2");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), all.size());
  EXPECT_EQ(std::to_string(all.size()), psql("SELECT count(*) FROM chats"));
  const auto groups = walk("/v1/admin/chats?limit=2&kind=group");
  EXPECT_EQ(std::to_string(groups.size()), psql("SELECT count(*) FROM chats WHERE kind = 'group'"));
  const auto direct = walk("/v1/admin/chats?limit=2&kind=direct");
  EXPECT_EQ(std::to_string(direct.size()), psql("SELECT count(*) FROM chats WHERE kind = 'direct'"));
}

TEST_F(AdminChatsTest, HistoryInPagesBothWays) {
  const json owner = create_user(unique("talker"));
  const json chat = create_group(id_of(owner), {});
  std::vector<std::string> bodies;
  for (int i = 1; i <= 5; ++i) bodies.push_back(R"({"text":"message )" + std::to_string(i) + R"("})");
  send(id_of(chat), id_of(owner), bodies);

  // Oldest first, two per page: 1-2, 3-4, 5.
  std::vector<std::int64_t> seqs;
  std::string path = chats(id_of(chat), "/messages?limit=2");
  for (;;) {
    const Reply page = get(path);
    ASSERT_EQ(page.status, 200) << page.body;
    for (const json& message : page.data["items"]) {
      seqs.push_back(message["seq"]);
      EXPECT_EQ(message["chat"], id_of(chat));
      EXPECT_EQ(message["from"], id_of(owner));
      EXPECT_EQ(message["type"], "text");
      EXPECT_EQ(message["text"], "message " + std::to_string(message["seq"].get<std::int64_t>()));
      EXPECT_TRUE(message["ts"].is_number_integer());
    }
    if (page.data["next"].is_null()) break;
    path = chats(id_of(chat), "/messages?limit=2&cursor=" + page.data["next"].get<std::string>());
  }
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5}));

  // Newest first below a seq, and after a seq.
  Reply page = get(chats(id_of(chat), "/messages?before_seq=5&limit=3"));
  ASSERT_EQ(page.data["items"].size(), 3u);
  EXPECT_EQ(page.data["items"][0]["seq"], 4);
  EXPECT_EQ(page.data["items"][2]["seq"], 2);
  page = get(chats(id_of(chat), "/messages?limit=3&cursor=" + page.data["next"].get<std::string>()));
  ASSERT_EQ(page.data["items"].size(), 1u);
  EXPECT_EQ(page.data["items"][0]["seq"], 1);
  EXPECT_TRUE(page.data["next"].is_null());
  page = get(chats(id_of(chat), "/messages?after_seq=3"));
  ASSERT_EQ(page.data["items"].size(), 2u);
  EXPECT_EQ(page.data["items"][0]["seq"], 4);

  EXPECT_EQ(get(chats(id_of(chat), "/messages?after_seq=1&before_seq=3")).status, 400);
  EXPECT_EQ(get(chats(id_of(chat), "/messages?before_seq=0")).error_field(), "before_seq");
  EXPECT_EQ(get(chats(id_of(chat), "/messages?after_seq=x")).error_field(), "after_seq");
  EXPECT_EQ(get("/v1/admin/chats/987654321/messages").status, 404);
}

TEST_F(AdminChatsTest, ModerationWithholdsContentEverywhereTheHistoryIsRead) {
  const json owner = create_user(unique("mod"));
  const json member = create_user(unique("member"));
  const json chat = create_group(id_of(owner), {id_of(member)});
  const auto seqs =
      send(id_of(chat), id_of(member), {R"({"text":"fine"})", R"({"text":"abusive"})", R"({"text":"fine too"})"});

  const Reply deleted = call("DELETE", chats(id_of(chat), "/messages/" + std::to_string(seqs[1])));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.data["deleted"], true);
  EXPECT_EQ(deleted.data["seq"], seqs[1]);
  EXPECT_FALSE(deleted.data.contains("text"));
  const std::int64_t deleted_at = deleted.data["deleted_at"].get<std::int64_t>();
  // Again: still deleted, at the first time.
  EXPECT_EQ(call("DELETE", chats(id_of(chat), "/messages/" + std::to_string(seqs[1]))).data["deleted_at"], deleted_at);

  // The admin history shows the message in its place, without content.
  const Reply history = get(chats(id_of(chat), "/messages"));
  ASSERT_EQ(history.data["items"].size(), 3u);
  EXPECT_EQ(history.data["items"][0]["text"], "fine");
  const json& hidden = history.data["items"][1];
  EXPECT_EQ(hidden["seq"], seqs[1]);
  EXPECT_EQ(hidden["deleted"], true);
  EXPECT_EQ(hidden["from"], id_of(member));
  EXPECT_FALSE(hidden.contains("text"));
  EXPECT_FALSE(hidden.contains("type"));
  EXPECT_EQ(history.data["items"][2]["text"], "fine too");

  // The bridge answers clients' history/sync from Store::history: the same
  // row is deleted there, its body withheld ("{}"), its seq kept.
  const auto stored = store().messages().history(id_of(chat), storage::HistoryAnchor::after(0), 10);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_FALSE(stored[0].deleted());
  EXPECT_TRUE(stored[1].deleted());
  EXPECT_EQ(stored[1].deleted_at_ms, deleted_at);
  EXPECT_EQ(stored[1].body, "{}");
  EXPECT_EQ(stored[1].seq, seqs[1]);
  EXPECT_EQ(psql("SELECT body->>'text' FROM messages WHERE chat_id = " + std::to_string(id_of(chat)) +
                 " AND seq = " + std::to_string(seqs[1])),
            "abusive");  // kept in the database, for the record

  EXPECT_EQ(call("DELETE", chats(id_of(chat), "/messages/99")).status, 404);
  EXPECT_EQ(call("DELETE", chats(id_of(chat), "/messages/0")).status, 404);
  EXPECT_EQ(call("DELETE", "/v1/admin/chats/987654321/messages/1").status, 404);
}

TEST_F(AdminChatsTest, StatsCountWhatIsThere) {
  const Reply before = get("/v1/admin/stats");
  ASSERT_EQ(before.status, 200) << before.body;
  const json user = create_user(unique("stat"));
  const json other = create_user(unique("stat"));
  const json chat = create_group(id_of(user), {id_of(other)});
  send(id_of(chat), id_of(user), {R"({"text":"a"})", R"({"text":"b"})", R"({"text":"c"})"});
  psql("INSERT INTO devices (user_id, device_id, online) VALUES (" + std::to_string(id_of(user)) + ", 'p1', true), (" +
       std::to_string(id_of(user)) + ", 'p2', true), (" + std::to_string(id_of(other)) + ", 'p1', false)");
  post("/v1/admin/users/" + std::to_string(id_of(other)) + "/disable", json::object());

  const Reply after = get("/v1/admin/stats?days=3");
  ASSERT_EQ(after.status, 200) << after.body;
  const json& a = after.data;
  const json& b = before.data;
  EXPECT_EQ(a["users"].get<int>() - b["users"].get<int>(), 2);
  EXPECT_EQ(a["disabled_users"].get<int>() - b["disabled_users"].get<int>(), 1);
  EXPECT_EQ(a["online_users"].get<int>() - b["online_users"].get<int>(), 1);
  EXPECT_EQ(a["online_devices"].get<int>() - b["online_devices"].get<int>(), 2);
  EXPECT_EQ(a["chats"].get<int>() - b["chats"].get<int>(), 1);
  EXPECT_EQ(a["groups"].get<int>() - b["groups"].get<int>(), 1);
  EXPECT_EQ(a["messages"].get<int>() - b["messages"].get<int>(), 3);
  EXPECT_EQ(std::to_string(a["messages"].get<int>()), psql("SELECT count(*) FROM messages"));
  ASSERT_EQ(a["messages_per_day"].size(), 3u);
  EXPECT_EQ(a["messages_per_day"][2]["day"], psql("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')"));
  EXPECT_EQ(std::to_string(a["messages_per_day"][2]["messages"].get<int>()),
            psql("SELECT count(*) FROM messages WHERE created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') "
                 "AT TIME ZONE 'UTC'"));
  EXPECT_EQ(get("/v1/admin/stats").data["messages_per_day"].size(), 7u);
  EXPECT_EQ(get("/v1/admin/stats?days=0").error_field(), "days");
  EXPECT_EQ(get("/v1/admin/stats?days=91").error_field(), "days");
}

}  // namespace
}  // namespace chat::admin::testing
