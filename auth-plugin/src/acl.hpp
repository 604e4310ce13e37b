#pragma once
// The access rules of the wire contract (docs/protocol.md, "Access rules") as
// one pure decision: who (a user or the service account), what (read, write,
// subscribe), which topic or filter, and a view of group membership.
//
// Users
//   write      dm/{to}/{msg|rcpt|typing}/{self} unless `to` blocks self,
//              g/{chat}/{msg|rcpt|typing}/{self}
//              while a member of chat, req/{self}/{device}, st/{self}/{device}
//   read       dm/{self}/..., dm/{to}/{kind}/{self} (what it sent), u/{self}/...,
//              g/{chat}/... while a member, presence/{uid} unless uid blocks self
//              (a delivery: subscribing to presence/{uid} stays allowed, so a
//              block neither shows in a SUBACK nor needs a new subscription
//              once lifted)
//   subscribe  a filter every topic of which is readable: it must lie within
//              one of dm/{self}/#, dm/+/+/{self}, u/{self}/#, g/{chat}/# (member),
//              presence/+ — so dm/{self}/msg/+ is fine and dm/+/# is not
//   denied     everything else: any $ topic ($SYS, $share/...), # and filters
//              whose first level is a wildcard, other users' topics, malformed
//              ids, unknown levels, empty levels, more than four levels
// The service account (the bridge) may do everything. Unsubscribing is always
// allowed.
#include "identity.hpp"

#include <string_view>

namespace chat::auth {

enum class Access { read, write, subscribe, unsubscribe };

struct Principal {
  enum class Role { user, service };
  Role role = Role::user;
  Uid uid = 0;
  std::string_view uid_text;  // uid in decimal, as it appears in topics

  static Principal service() { return Principal{Role::service, 0, {}}; }
  static Principal user(Uid uid, std::string_view uid_text) { return Principal{Role::user, uid, uid_text}; }
};

// Group membership and blocks as the plugin's cache knows them.
class MembershipView {
 public:
  virtual ~MembershipView() = default;
  virtual bool is_member(ChatId chat, Uid uid) const = 0;
  // Does `blocker` block `blocked` (docs/protocol.md, "Blocking")?
  virtual bool blocks(Uid blocker, Uid blocked) const = 0;
};

// What a topic a user may write is, for the payload rules that follow.
enum class Channel { none, msg, rcpt, typing };
enum class TopicKind { other, direct, group };
struct TopicInfo {
  TopicKind kind = TopicKind::other;
  Channel channel = Channel::none;
};

struct AclResult {
  bool allowed = false;
  TopicInfo topic;  // for an allowed user write
};

AclResult check_access(const Principal& who, Access access, std::string_view topic,
                       const MembershipView& members) noexcept;

// dm/{to}/msg/{from} or g/{chat}/msg/{from} etc.: kind and channel, or
// TopicKind::other. For the service account's publishes and for logging.
TopicInfo classify_topic(std::string_view topic) noexcept;

}  // namespace chat::auth
