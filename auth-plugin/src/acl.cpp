#include "acl.hpp"

#include "chat/protocol/topics.hpp"

#include <array>
#include <cstddef>

namespace chat::auth {
namespace {

// Contract topics have at most four levels.
constexpr std::size_t kMaxLevels = 4;

struct Levels {
  std::array<std::string_view, kMaxLevels> level{};
  std::size_t size = 0;
  std::string_view operator[](std::size_t i) const { return level[i]; }
};

// Splits on '/'; false when there are more than kMaxLevels levels.
bool split(std::string_view topic, Levels& out) noexcept {
  out.size = 0;
  for (;;) {
    if (out.size == kMaxLevels) return false;
    const auto slash = topic.find('/');
    out.level[out.size++] = topic.substr(0, slash);
    if (slash == std::string_view::npos) return true;
    topic.remove_prefix(slash + 1);
  }
}

bool is_wildcard(std::string_view level) noexcept { return level == "+" || level == "#"; }

Channel parse_channel(std::string_view level) noexcept {
  const auto channel = protocol::parse_channel(level);
  if (!channel) return Channel::none;
  switch (*channel) {
    case protocol::Channel::msg:
      return Channel::msg;
    case protocol::Channel::rcpt:
      return Channel::rcpt;
    case protocol::Channel::typing:
      return Channel::typing;
  }
  return Channel::none;
}

bool is_id(std::string_view level) noexcept { return parse_id(level).has_value(); }

// Is every topic `filter` can match also matched by `rule`? Both are MQTT
// filters; the rule's '#' also matches its parent level ("a/#" matches "a").
bool within(const Levels& filter, const std::string_view* rule, std::size_t rule_size) noexcept {
  for (std::size_t i = 0;; ++i) {
    if (i == rule_size) return i == filter.size;
    const std::string_view r = rule[i];
    if (r == "#") return true;
    if (i == filter.size) return false;
    const std::string_view f = filter[i];
    if (f == "#") return false;
    if (r == "+") continue;
    if (f != r) return false;
  }
}

// Literal levels must be well-formed where the contract puts an id, a channel
// or a device; wildcards are judged by within().
bool well_formed(const Levels& f) noexcept {
  const std::string_view root = f[0];
  auto literal = [&](std::size_t i) { return i < f.size && !is_wildcard(f[i]); };
  if (root == "dm" || root == "g") {
    if (literal(1) && !is_id(f[1])) return false;
    if (literal(2) && parse_channel(f[2]) == Channel::none) return false;
    if (literal(3) && !is_id(f[3])) return false;
    return true;
  }
  if (root == "u") {
    if (literal(1) && !is_id(f[1])) return false;
    if (literal(2) && f[2] != "ev" && f[2] != "rsp") return false;
    if (f.size > 3) {
      if (f[2] == "ev") return false;
      if (literal(3) && !is_valid_device(f[3])) return false;
    }
    return true;
  }
  if (root == "presence") {
    return f.size <= 2 && (!literal(1) || is_id(f[1]));
  }
  return false;
}

// `delivery`: a published topic on its way to `who` (not a filter).
bool readable(const Principal& who, const Levels& f, const MembershipView& members, bool delivery) {
  if (!well_formed(f)) return false;
  const std::string_view self = who.uid_text;
  const std::string_view root = f[0];
  if (root == "dm") {
    const std::string_view to_self[] = {"dm", self, "#"};
    const std::string_view from_self[] = {"dm", "+", "+", self};
    return within(f, to_self, 3) || within(f, from_self, 4);
  }
  if (root == "u") {
    const std::string_view own[] = {"u", self, "#"};
    return within(f, own, 3);
  }
  if (root == "presence") {
    const std::string_view any[] = {"presence", "+"};
    if (!within(f, any, 2)) return false;
    if (!delivery) return true;
    const auto uid = parse_id(f[1]);
    return uid && !members.blocks(*uid, who.uid);  // a blocker's presence is hidden from whom it blocks
  }
  if (root == "g") {
    if (f.size < 2 || is_wildcard(f[1])) return false;
    const auto chat = parse_id(f[1]);
    if (!chat || !members.is_member(*chat, who.uid)) return false;
    const std::string_view group[] = {"g", f[1], "#"};
    return within(f, group, 3);
  }
  return false;
}

AclResult writable(const Principal& who, std::string_view topic, const MembershipView& members) {
  AclResult denied;
  if (topic.find_first_of("+#") != std::string_view::npos) return denied;
  Levels t;
  if (!split(topic, t)) return denied;
  const std::string_view root = t[0];
  if ((root == "dm" || root == "g") && t.size == 4) {
    const Channel channel = parse_channel(t[2]);
    if (channel == Channel::none || t[3] != who.uid_text) return denied;
    const auto target = parse_id(t[1]);
    if (!target) return denied;
    if (root == "dm") {
      if (members.blocks(*target, who.uid)) return denied;  // messages, typing and receipts alike
      return AclResult{true, TopicInfo{TopicKind::direct, channel}};
    }
    if (!members.is_member(*target, who.uid)) return denied;
    return AclResult{true, TopicInfo{TopicKind::group, channel}};
  }
  if ((root == "req" || root == "st") && t.size == 3) {
    if (t[1] != who.uid_text || !is_valid_device(t[2])) return denied;
    return AclResult{true, TopicInfo{}};
  }
  return denied;
}

}  // namespace

TopicInfo classify_topic(std::string_view topic) noexcept {
  Levels t;
  if (!split(topic, t) || t.size != 4) return {};
  const Channel channel = parse_channel(t[2]);
  if (channel == Channel::none || !is_id(t[1]) || !is_id(t[3])) return {};
  if (t[0] == "dm") return TopicInfo{TopicKind::direct, channel};
  if (t[0] == "g") return TopicInfo{TopicKind::group, channel};
  return {};
}

AclResult check_access(const Principal& who, Access access, std::string_view topic,
                       const MembershipView& members) noexcept {
  try {
    if (access == Access::unsubscribe) return AclResult{true, {}};
    if (who.role == Principal::Role::service) {
      return AclResult{true, access == Access::write ? classify_topic(topic) : TopicInfo{}};
    }
    if (who.uid <= 0 || who.uid_text.empty() || topic.empty()) return {};
    if (access == Access::write) return writable(who, topic, members);
    Levels f;
    if (!split(topic, f)) return {};
    return AclResult{readable(who, f, members, access == Access::read), {}};
  } catch (...) {
    return {};  // a view that throws denies
  }
}

}  // namespace chat::auth
