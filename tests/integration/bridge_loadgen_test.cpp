// chat-loadgen --mode platform against the real thing: the auth plugin signs
// its users in with tokens, the bridge stores and acks, the loadgen checks
// the database at the end (--strict: exit 4 on a loss, a duplicate or a gap).
#include "bridge_test_env.hpp"

#include <nlohmann/json.hpp>

namespace chat::bridge::testing {
namespace {

class BridgeLoadgen : public BridgeTest {};

TEST_F(BridgeLoadgen, PlatformModeStoresAcksAndChecksTheDatabase) {
  auto bridge = start_bridge();
  chat::testing::TempDir dir("chat-bridge-loadgen");
  write_file_for_test(dir.path() / "secret", token_secret());
  const auto result = chat::testing::run_command(
      {CHAT_LOADGEN_PATH, "--mode", "platform", "--uri", broker().uri(), "--database-url", conninfo(),
       "--token-secret-file", (dir.path() / "secret").string(), "--users", "20", "--groups", "5", "--group-size", "3",
       "--messages", "2000", "--inflight", "10", "--strict", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.output << bridge->log();
  nlohmann::json figures;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{\"mode\"", 0) == 0) figures = nlohmann::json::parse(line).at("figures");
  }
  ASSERT_FALSE(figures.is_null()) << result.output;
  EXPECT_EQ(figures.at("sent"), 2000);
  EXPECT_EQ(figures.at("acked"), 2000);
  EXPECT_EQ(figures.at("db_stored"), 2000);
  EXPECT_EQ(figures.at("db_lost"), 0);
  EXPECT_EQ(figures.at("db_duplicates"), 0);
  EXPECT_EQ(figures.at("db_gapped_chats"), 0);
  EXPECT_EQ(figures.at("lost"), 0);
  EXPECT_EQ(bridge->metric("chat_bridge_messages_stored_total"), 2000);
}

}  // namespace
}  // namespace chat::bridge::testing
