#include "auth_change.hpp"

#include <vector>

namespace chat::auth {
namespace {

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto space = text.find(' ');
    out.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

}  // namespace

std::optional<AuthChange> parse_auth_change(std::string_view payload) {
  const auto w = words(payload);
  if (w.size() < 2 || !parse_id(w.back())) return std::nullopt;  // the serial number
  const std::string_view op = w[0];
  AuthChange change;
  if ((op == "m+" || op == "m-") && w.size() == 4) {
    const auto chat = parse_id(w[1]);
    const auto uid = parse_id(w[2]);
    if (!chat || !uid) return std::nullopt;
    change.kind = op == "m+" ? AuthChange::Kind::member_added : AuthChange::Kind::member_removed;
    change.chat = *chat;
    change.uid = *uid;
    return change;
  }
  if ((op == "c+" || op == "c-") && w.size() == 3) {
    const auto chat = parse_id(w[1]);
    if (!chat) return std::nullopt;
    change.kind = op == "c+" ? AuthChange::Kind::group_restored : AuthChange::Kind::group_removed;
    change.chat = *chat;
    return change;
  }
  if ((op == "u+" || op == "u-" || op == "p") && w.size() == 4) {
    const auto uid = parse_id(w[1]);
    if (!uid || w[2].empty()) return std::nullopt;
    change.kind = op == "u+"   ? AuthChange::Kind::user_allowed
                  : op == "u-" ? AuthChange::Kind::user_refused
                               : AuthChange::Kind::password_changed;
    change.uid = *uid;
    change.username = std::string(w[2]);
    return change;
  }
  if ((op == "b+" || op == "b-") && w.size() == 4) {
    const auto blocker = parse_id(w[1]);
    const auto blocked = parse_id(w[2]);
    if (!blocker || !blocked) return std::nullopt;
    change.kind = op == "b+" ? AuthChange::Kind::user_blocked : AuthChange::Kind::user_unblocked;
    change.uid = *blocker;
    change.blocked_uid = *blocked;
    return change;
  }
  if (op == "t" && w.size() == 4) {
    const auto uid = parse_id(w[1]);
    const auto seconds = parse_id(w[2]);
    if (!uid || !seconds) return std::nullopt;
    change.kind = AuthChange::Kind::tokens_revoked;
    change.uid = *uid;
    change.not_before = *seconds;
    return change;
  }
  return std::nullopt;
}

}  // namespace chat::auth
