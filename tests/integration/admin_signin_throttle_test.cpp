// POST /v1/signin under password guessing: attempts are limited per user and
// per address, counted before the password is checked.
#include "admin_test_env.hpp"

#include <optional>
#include <string>

namespace chat::admin::testing {
namespace {

// The password attempts of /v1/signin and of media's Basic sign-in come out of
// one allowance per address and per user: a guess costs the same wherever.
class AdminSigninThrottleTest : public AdminTest {
 protected:
  static void SetUpTestSuite() {
    start_suite({"--password-burst-per-address", "6", "--password-per-minute-per-address", "1",
                 "--password-burst-per-user", "2", "--password-per-minute-per-user", "1"});
  }
  static Reply sign_in(const json& body) { return call("POST", "/v1/signin", body, std::nullopt); }
};

TEST_F(AdminSigninThrottleTest, PasswordAttemptsAreLimitedPerUserAndPerAddress) {
  const json dave = create_user(unique("dave"), {{"password", "dave's password"}});
  const json erin = create_user(unique("erin"), {{"password", "erin's password"}});
  const json guess{{"username", dave["username"]}, {"password", "guess"}};

  EXPECT_EQ(sign_in(guess).status, 401);
  EXPECT_EQ(sign_in(guess).status, 401);
  const Reply limited = sign_in(guess);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.error_code(), "rate_limited");
  const std::string retry_after = limited.header("Retry-After");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  // Counted before the check: the right password waits too, but only for Dave.
  EXPECT_EQ(sign_in({{"username", dave["username"]}, {"password", "dave's password"}}).status, 429);
  EXPECT_EQ(sign_in({{"username", erin["username"]}, {"password", "erin's password"}}).status, 200);

  // Five attempts counted on this address so far (those refused for Dave count here too);
  // a name no account can have counts on the address alone.
  EXPECT_EQ(sign_in({{"username", "no"}, {"password", "x"}}).status, 401);
  const Reply address_limited = sign_in({{"username", erin["username"]}, {"password", "erin's password"}});
  EXPECT_EQ(address_limited.status, 429) << address_limited.body;
  EXPECT_FALSE(address_limited.header("Retry-After").empty());
}

}  // namespace
}  // namespace chat::admin::testing
