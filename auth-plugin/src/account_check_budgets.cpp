#include "account_check_budgets.hpp"

#include <algorithm>

namespace chat::auth {

AccountCheckBudgets::AccountCheckBudgets(double per_min, double burst, std::size_t max_accounts)
    : per_s_(per_min / 60), burst_(burst), max_accounts_(std::max<std::size_t>(1, max_accounts)) {}

bool AccountCheckBudgets::has_check(Uid uid, std::int64_t now_ns) const {
  const auto found = by_uid_.find(uid);
  return found == by_uid_.end() || found->second->checks.has(now_ns);  // no bucket: a full one
}

void AccountCheckBudgets::take_check(Uid uid, std::int64_t now_ns) {
  forget_refilled(now_ns);
  auto found = by_uid_.find(uid);
  if (found == by_uid_.end()) {
    if (order_.size() >= max_accounts_) {
      by_uid_.erase(order_.front().uid);
      order_.pop_front();
    }
    order_.push_back(Account{uid, TokenBucket(per_s_, burst_, now_ns)});
    found = by_uid_.emplace(uid, std::prev(order_.end())).first;
  } else {
    order_.splice(order_.end(), order_, found->second);  // iterators stay valid
  }
  found->second->checks.try_take(now_ns);
}

// The oldest first: once one is not full yet, a younger one rarely is, and
// it is forgotten on a later call.
void AccountCheckBudgets::forget_refilled(std::int64_t now_ns) {
  while (!order_.empty() && order_.front().checks.idle(now_ns, 0)) {
    by_uid_.erase(order_.front().uid);
    order_.pop_front();
  }
}

}  // namespace chat::auth
