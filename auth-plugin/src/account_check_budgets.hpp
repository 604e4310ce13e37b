#pragma once
// Each account's own budget of PBKDF2 checks (issue #13): the plugin's
// global budget (password_checks_per_s) bounds guessing over all accounts
// together, but could all be aimed at one; this bounds the guesses at one
// account to `burst` at once, then `per_min` a minute.
//
// A bucket exists only for an account that was checked recently, in the
// order of its last check: each take first forgets the oldest buckets that
// are full again (forgetting one changes nothing), so the accounts kept are
// about those checked within one refill time (burst / per_min minutes). At
// most `max_accounts` are kept: when that many are not full yet, the oldest
// is forgotten and its account starts over with a full bucket. The global
// budget makes that rare: it files at most password_checks_per_s checks a
// second (of the default cost), so at the defaults (20/s, burst 100, a
// bucket refilled in a minute) at most 1 300 buckets can be not full at once.
//
// O(1) per call (amortized: each bucket is forgotten once). Memory only,
// broker thread only; time is passed in.
#include "identity.hpp"
#include "token_bucket.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

namespace chat::auth {

class AccountCheckBudgets {
 public:
  AccountCheckBudgets(double per_min, double burst, std::size_t max_accounts);

  // Whether `uid` may have a check filed now; takes nothing.
  bool has_check(Uid uid, std::int64_t now_ns) const;
  // Takes one check from `uid`'s bucket (call after has_check said yes).
  void take_check(Uid uid, std::int64_t now_ns);

  std::size_t accounts() const { return order_.size(); }

 private:
  struct Account {
    Uid uid = 0;
    TokenBucket checks;
  };
  using Order = std::list<Account>;  // oldest check first
  void forget_refilled(std::int64_t now_ns);

  double per_s_;
  double burst_;
  std::size_t max_accounts_;
  Order order_;
  std::unordered_map<Uid, Order::iterator> by_uid_;
};

}  // namespace chat::auth
