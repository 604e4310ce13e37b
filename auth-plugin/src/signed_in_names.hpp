#pragma once
// The usernames each user's connections signed in under, so that a
// revocation announced by user id alone (tokens_not_before moved forward:
// "sign out everywhere", a password change) can end those connections with
// mosquitto_kick_client_by_username. Every connection passes the plugin's
// sign-in, so every connected user is here. One entry per user signed in
// since the broker started (a user usually has one name; a rename adds one).
// Broker thread only.
#include "identity.hpp"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chat::auth {

class SignedInNames {
 public:
  void note(Uid uid, std::string_view username);
  // Empty when the user has not signed in since the start.
  const std::vector<std::string>& of(Uid uid) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<Uid, std::vector<std::string>> names_;
};

}  // namespace chat::auth
