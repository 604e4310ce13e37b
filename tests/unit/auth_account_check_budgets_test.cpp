// Each account's own budget of password checks: the burst, the refill, one
// account's spent budget leaving the others theirs, and the bound on the
// accounts kept.
#include "account_check_budgets.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace chat::auth {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;

// Takes checks for `uid` at `now` while it has any; how many it took.
int spend(AccountCheckBudgets& budgets, Uid uid, std::int64_t now) {
  int taken = 0;
  while (budgets.has_check(uid, now) && taken < 1000) {
    budgets.take_check(uid, now);
    ++taken;
  }
  return taken;
}

TEST(AccountCheckBudgets, TheBurstThenTheRatePerMinute) {
  AccountCheckBudgets budgets(10, 10, 100);
  EXPECT_EQ(spend(budgets, 42, 0), 10);
  EXPECT_FALSE(budgets.has_check(42, 5 * kSecond)) << "one check's worth takes 6 s";
  EXPECT_EQ(spend(budgets, 42, 7 * kSecond), 1);
  EXPECT_EQ(spend(budgets, 42, 7 * kSecond + kMinute), 10) << "full again a minute later, never more";
}

TEST(AccountCheckBudgets, OneAccountsSpentBudgetLeavesOthersTheirs) {
  AccountCheckBudgets budgets(10, 3, 100);
  EXPECT_EQ(spend(budgets, 42, 0), 3);
  EXPECT_FALSE(budgets.has_check(42, 0));
  EXPECT_TRUE(budgets.has_check(43, 0));
  EXPECT_EQ(spend(budgets, 43, 0), 3);
}

TEST(AccountCheckBudgets, AskingTakesNothingAndKeepsNothing) {
  AccountCheckBudgets budgets(10, 1, 100);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(budgets.has_check(42, 0));
  EXPECT_EQ(budgets.accounts(), 0u) << "an account not checked has no bucket";
  budgets.take_check(42, 0);
  EXPECT_FALSE(budgets.has_check(42, 0));
}

TEST(AccountCheckBudgets, AccountsFullAgainAreForgotten) {
  AccountCheckBudgets budgets(10, 10, 100);
  for (Uid uid = 1; uid <= 50; ++uid) budgets.take_check(uid, 0);
  EXPECT_EQ(budgets.accounts(), 50u);
  budgets.take_check(51, kMinute);  // the fifty are full again by now
  EXPECT_EQ(budgets.accounts(), 1u);
}

TEST(AccountCheckBudgets, AtMostMaxAccountsTheOldestForgottenFirst) {
  AccountCheckBudgets budgets(1, 2, 3);  // one check a minute
  EXPECT_EQ(spend(budgets, 1, 0), 2);
  EXPECT_EQ(spend(budgets, 2, 30 * kSecond), 2);
  EXPECT_EQ(spend(budgets, 3, 40 * kSecond), 2);
  EXPECT_EQ(spend(budgets, 1, kMinute), 1) << "uid 1 is now the one checked last";
  budgets.take_check(4, kMinute + kSecond);
  EXPECT_EQ(budgets.accounts(), 3u) << "never more than max_accounts";
  EXPECT_TRUE(budgets.has_check(2, kMinute + kSecond)) << "checked longest ago: forgotten, it starts over full";
  EXPECT_FALSE(budgets.has_check(1, kMinute + kSecond)) << "kept";
  EXPECT_FALSE(budgets.has_check(3, kMinute + kSecond)) << "kept";
  for (Uid uid = 100; uid < 1100; ++uid) budgets.take_check(uid, kMinute + 2 * kSecond);
  EXPECT_EQ(budgets.accounts(), 3u);
}

}  // namespace
}  // namespace chat::auth
