// Messages that act on messages, malformed, on an anonymous broker: what the
// auth plugin refuses first, the bridge refuses too.
#include "bridge_message_actions_env.hpp"

namespace chat::bridge::testing {
namespace {

// What the plugin refuses never reaches the bridge; on an anonymous broker
// the bridge's own checks answer the same shapes.
class BridgeMessageActionsOwnChecks : public BridgeMessageActions {
 protected:
  bool use_auth_plugin() const override { return false; }
};

TEST_F(BridgeMessageActionsOwnChecks, TheBridgeRefusesMalformedShapesToo) {
  start();
  auto a = client(alice_.id);
  ASSERT_EQ(sent(*a, text("a0", "target")).seq, 1);
  const Answer two_emoji = sent(*a, reaction("m1", 1, "👍👍"));
  EXPECT_EQ(two_emoji.error, "bad_request");
  EXPECT_EQ(two_emoji.detail, "not_one_emoji");
  EXPECT_EQ(sent(*a, json{{"id", "m2"}, {"type", "edit"}, {"text", "no target"}}).error, "bad_request");
  ASSERT_EQ(sent(*a, text("a1", "marker")).seq, 2);
  EXPECT_EQ(last_seq(), 2);
}

}  // namespace
}  // namespace chat::bridge::testing
