#include "signed_in_names.hpp"

#include <algorithm>

namespace chat::auth {

void SignedInNames::note(Uid uid, std::string_view username) {
  auto& names = names_[uid];
  if (std::find(names.begin(), names.end(), username) == names.end()) names.emplace_back(username);
}

const std::vector<std::string>& SignedInNames::of(Uid uid) const {
  static const std::vector<std::string> kNone;
  const auto it = names_.find(uid);
  return it == names_.end() ? kNone : it->second;
}

}  // namespace chat::auth
