// The auth plugin's identities and access rules (auth-plugin/src/identity.hpp,
// acl.hpp): client ids, usernames and every topic or filter a client names.
//
// Input: first line the client id (or username), the rest the topic or filter.
#include "acl.hpp"
#include "fuzz_input.hpp"
#include "identity.hpp"

namespace {

using chat::auth::Access;

// Members of even chats only: both answers of the cache get exercised.
class EvenChats : public chat::auth::MembershipView {
 public:
  bool is_member(chat::auth::ChatId chat, chat::auth::Uid) const override { return chat % 2 == 0; }
  // Odd users block everyone: both answers of the block check get exercised too.
  bool blocks(chat::auth::Uid blocker, chat::auth::Uid) const override { return blocker % 2 == 1; }
};

// The same members, and nobody blocks anybody.
class EvenChatsNoBlocks : public EvenChats {
 public:
  bool blocks(chat::auth::Uid, chat::auth::Uid) const override { return false; }
};

bool has_wildcard(std::string_view topic) { return topic.find_first_of("+#") != std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [head, topic] = chat::fuzz::split_first_line(data, size);

  const bool safe = chat::auth::is_safe_identifier(head);
  const auto client = chat::auth::parse_client_id(head);
  if (client) {
    // A client id that names a uid never carries what could widen a topic.
    chat::fuzz::require(safe && client->uid > 0 && chat::auth::is_valid_device(client->device));
  }
  if (const auto name = chat::auth::canonical_username(head)) {
    chat::fuzz::require(chat::auth::canonical_username(*name) == name);
  }

  const auto who =
      client ? chat::auth::Principal::user(client->uid, client->uid_text) : chat::auth::Principal::user(42, "42");
  const EvenChats members;
  const auto read = chat::auth::check_access(who, Access::read, topic, members);
  const auto write = chat::auth::check_access(who, Access::write, topic, members);
  const auto subscribe = chat::auth::check_access(who, Access::subscribe, topic, members);
  chat::auth::check_access(chat::auth::Principal::service(), Access::write, topic, members);
  chat::auth::classify_topic(topic);

  // A user writes only to concrete topics, and only ones under its own uid...
  if (write.allowed) chat::fuzz::require(!has_wildcard(topic) && topic.find(who.uid_text) != std::string_view::npos);
  // ... and a filter without wildcards is a topic: subscribing to it is reading it,
  // blocks aside (a block withholds deliveries, not the subscription, so that a
  // SUBACK does not tell a user it is blocked: docs/auth-plugin.md).
  if (subscribe.allowed && !has_wildcard(topic)) {
    const EvenChatsNoBlocks unblocked;
    chat::fuzz::require(chat::auth::check_access(who, Access::read, topic, unblocked).allowed);
  }
  if (topic.starts_with('$')) chat::fuzz::require(!read.allowed && !write.allowed && !subscribe.allowed);
  return 0;
}
