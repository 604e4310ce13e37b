// chatctl against the real chat-admin: every command's --help, the common
// tasks end to end, and its exit codes.
#include "admin_test_env.hpp"

#include "chat/credentials/token.hpp"

namespace chat::admin::testing {
namespace {

using chat::testing::CommandResult;
using chat::testing::run_command;

class AdminCliTest : public AdminTest {
 protected:
  static void SetUpTestSuite() { start_suite(); }

  static CommandResult chatctl(std::vector<std::string> args, bool with_server = true) {
    std::vector<std::string> argv{CHATCTL_PATH};
    if (with_server) {
      argv.emplace_back("--url");
      argv.push_back(server().url());
      argv.emplace_back("--token-file");
      argv.push_back(server().admin_token_file().string());
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }
  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(AdminCliTest, EveryCommandHasHelp) {
  const CommandResult top = chatctl({"--help"}, false);
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_TRUE(contains(top.output, "usage: chatctl"));
  const std::vector<std::string> commands = {
      "add-user",    "show-user",   "list-users", "update-user",    "set-password", "disable-user",
      "enable-user", "delete-user", "mint-token", "create-group",   "add-member",   "remove-member",
      "list-chats",  "show-chat",   "history",    "delete-message", "stats",        "health"};
  for (const std::string& command : commands) {
    EXPECT_TRUE(contains(top.output, "  " + command)) << command << " is not in the overview";
    const CommandResult help = chatctl({command, "--help"}, false);
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.output;
    EXPECT_TRUE(contains(help.output, "usage: chatctl " + command)) << help.output;
  }
  EXPECT_EQ(chatctl({"no-such-command"}, false).exit_code, 2);
  EXPECT_EQ(chatctl({"add-user", "--no-such-option"}, false).exit_code, 2);
  EXPECT_EQ(chatctl({}, false).exit_code, 2);
}

TEST_F(AdminCliTest, CommonTasksEndToEnd) {
  const std::string alice = unique("cli_alice");
  const std::string bob = unique("cli_bob");
  CommandResult result = chatctl({"add-user", alice, "--phone", "+4915112349999", "--display-name", "Alice CLI"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "username: " + alice));
  EXPECT_TRUE(contains(result.output, "phone: +4915112349999"));
  const std::int64_t alice_id = get("/v1/admin/users/by-username/" + alice).data["id"];

  // A password from a file (never on the command line).
  const std::filesystem::path password_file = server().media_dir().parent_path() / "password";
  chat::testing::write_file(password_file, "bob's secret\n");
  result = chatctl({"add-user", bob, "--password-file", password_file.string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "password: true"));
  const std::int64_t bob_id = get("/v1/admin/users/by-username/" + bob).data["id"];
  EXPECT_EQ(chatctl({"set-password", bob, "--password-file", password_file.string()}).exit_code, 0);

  // Refusals: a duplicate, a bad field, no password source, a wrong token.
  result = chatctl({"add-user", alice});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "conflict")) << result.output;
  EXPECT_EQ(chatctl({"add-user", "x"}).exit_code, 1);
  EXPECT_EQ(chatctl({"set-password", bob}).exit_code, 2);
  const std::filesystem::path wrong = server().media_dir().parent_path() / "wrong_token";
  chat::testing::write_file(wrong, "not-the-admin-token\n");
  result = run_command({CHATCTL_PATH, "--url", server().url(), "--token-file", wrong.string(), "stats"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "unauthorized")) << result.output;

  // mint-token prints the token alone on stdout; the broker's library accepts it.
  result = chatctl({"mint-token", alice, "--device", "phone1", "--ttl", "600"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string token = result.output.substr(0, result.output.find('\n'));
  const auto check = credentials::verify_token(
      token, kTokenSecret,
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  ASSERT_TRUE(check.ok()) << result.output;
  EXPECT_EQ(check.claims->uid, alice_id);

  // A group, a member, the chat shown with its members and messages.
  result = chatctl({"create-group", "CLI group", "--owner", alice, "--member", std::to_string(bob_id)});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "title: CLI group"));
  const std::string chat = psql("SELECT max(id) FROM chats WHERE title = 'CLI group'");
  const std::string carol = unique("cli_carol");
  ASSERT_EQ(chatctl({"add-user", carol}).exit_code, 0);
  result = chatctl({"add-member", chat, carol});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "added to chat " + chat));
  send(std::stoll(chat), alice_id, {R"({"text":"hello from the cli test"})", R"({"text":"to be removed"})"});
  EXPECT_EQ(chatctl({"delete-message", chat, "2"}).exit_code, 0);
  result = chatctl({"show-chat", chat, "--messages", "10"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "members: 3"));
  EXPECT_TRUE(contains(result.output, alice + "\towner"));
  EXPECT_TRUE(contains(result.output, bob + "\tmember"));
  EXPECT_TRUE(contains(result.output, carol + "\tmember"));
  EXPECT_TRUE(contains(result.output, "hello from the cli test"));
  EXPECT_TRUE(contains(result.output, "(deleted by moderation)"));
  EXPECT_FALSE(contains(result.output, "to be removed"));
  EXPECT_EQ(chatctl({"remove-member", chat, carol}).exit_code, 0);
  EXPECT_EQ(chatctl({"remove-member", chat, carol}).exit_code, 1);

  // JSON output is the server's answer.
  result = chatctl({"--json", "show-user", alice});
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_EQ(json::parse(result.output)["display_name"], "Alice CLI");
  result = chatctl({"list-users", "--username-prefix", "cli_", "--limit", "1", "--all"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(contains(result.output, alice) && contains(result.output, bob) && contains(result.output, carol));

  EXPECT_EQ(chatctl({"disable-user", bob}).exit_code, 0);
  EXPECT_EQ(get("/v1/admin/users/" + std::to_string(bob_id)).data["disabled"], true);
  EXPECT_EQ(chatctl({"enable-user", bob}).exit_code, 0);
  EXPECT_EQ(chatctl({"delete-user", carol}).exit_code, 2);  // needs --yes
  result = chatctl({"delete-user", carol, "--yes"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "deleted user"));
}

TEST_F(AdminCliTest, StatsOnceAndWatching) {
  CommandResult result = chatctl({"stats", "--days", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "users: "));
  EXPECT_TRUE(contains(result.output, "online now: "));
  EXPECT_TRUE(contains(result.output, "messages per day:"));

  result = chatctl({"stats", "--watch", "--interval", "0.1", "--count", "3"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::size_t lines = 0;
  for (std::size_t at = result.output.find("  users "); at != std::string::npos;
       at = result.output.find("  users ", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 3u) << result.output;
  EXPECT_TRUE(contains(result.output, "rate "));
  EXPECT_EQ(chatctl({"health"}).output, "ok\n");
  // A server that is not there: exit 1 with a reason.
  result = run_command(
      {CHATCTL_PATH, "--url", "http://127.0.0.1:1", "--token-file", server().admin_token_file().string(), "stats"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.output, "cannot reach")) << result.output;
}

}  // namespace
}  // namespace chat::admin::testing
