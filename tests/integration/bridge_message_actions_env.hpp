#pragma once
// What the tests of messages that act on messages share: a group of alice
// (its owner), bob and carol with the bridge, the messages of each type, and
// what the sender was told (bridge_message_actions_test.cpp and its variant
// without the plugin, bridge_message_actions_own_checks_test.cpp).
#include "bridge_test_env.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chat::bridge::testing {

using nlohmann::json;

inline std::string group(std::int64_t chat, std::int64_t from) {
  return "g/" + std::to_string(chat) + "/msg/" + std::to_string(from);
}

// What the sender was told: an ack's seq, or a nack's error and detail.
struct Answer {
  std::int64_t seq = 0;
  std::int64_t ts = 0;
  std::string error;
  std::string detail;
};

inline json text(const std::string& id, const std::string& body) {
  return {{"id", id}, {"type", "text"}, {"text", body}};
}
inline json edit(const std::string& id, std::int64_t target, const std::string& body) {
  return {{"id", id}, {"type", "edit"}, {"target", target}, {"text", body}};
}
inline json deletion(const std::string& id, std::int64_t target) {
  return {{"id", id}, {"type", "delete"}, {"target", target}};
}
inline json reaction(const std::string& id, std::int64_t target, const std::string& emoji, bool remove = false) {
  json m{{"id", id}, {"type", "reaction"}, {"target", target}, {"emoji", emoji}};
  if (remove) m["remove"] = true;
  return m;
}

class BridgeMessageActions : public BridgeTest {
 protected:
  // A group of alice (its owner), bob and carol, and the bridge.
  void start(const std::vector<std::string>& bridge_flags = {}) {
    alice_ = make_user("alice");
    bob_ = make_user("bob");
    carol_ = make_user("carol");
    const std::vector<storage::UserId> members{bob_.id, carol_.id};
    chat_ = store().chats().create_group(alice_.id, "team", members).id;
    bridge_ = start_bridge(bridge_flags);
  }

  // start(), then the three members' devices, connected side by side.
  struct Members {
    ChatClient& a;
    ChatClient& b;
    ChatClient& c;
  };
  Members start_connected() {
    start();
    devices_ = clients({alice_.id, bob_.id, carol_.id});
    return {*devices_[0], *devices_[1], *devices_[2]};
  }

  Answer sent(ChatClient& client, const json& message) {
    client.send_json(group(chat_, client.uid()), message);
    const std::string id = message.at("id");
    if (!client.wait_answer(id, 10s)) {
      ADD_FAILURE() << "no answer to " << id << "\n" << bridge_->log();
      return {};
    }
    if (const auto nack = client.nack_of(id)) {
      const json event = json::parse(*nack);
      return {0, 0, event.value("error", ""), event.value("detail", "")};
    }
    const auto acks = client.acks_of(id);
    return {acks.at(0).seq, acks.at(0).ts, {}, {}};
  }

  json history(ChatClient& client) {
    const json answer = client.request("history", {{"chat", chat_}, {"after_seq", 0}, {"limit", 200}});
    EXPECT_TRUE(answer.value("ok", false)) << answer;
    return answer["result"]["messages"];
  }

  std::int64_t last_seq() { return psql_int("SELECT last_seq FROM chats WHERE id = " + std::to_string(chat_)); }

  storage::User alice_, bob_, carol_;
  std::int64_t chat_ = 0;
  std::unique_ptr<BridgeProcess> bridge_;
  std::vector<std::unique_ptr<ChatClient>> devices_;
};

}  // namespace chat::bridge::testing
