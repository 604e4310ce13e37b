// chat-admin's media API under password guessing: Basic sign-ins are
// throttled per address and per user, tokens are not.
#include "admin_media_env.hpp"

#include <string>

namespace chat::admin::testing {
namespace {

// Password sign-ins cost a PBKDF2 run each: per client address and per
// username only so many, counted before the password is checked; tokens are
// not counted. (Limits made small here; the defaults are docs/admin-api.md's.)
class AdminMediaPasswordThrottleTest : public AdminMediaTest {
 protected:
  static void SetUpTestSuite() {
    start_suite({"--password-burst-per-address", "8", "--password-per-minute-per-address", "1",
                 "--password-burst-per-user", "2", "--password-per-minute-per-user", "1"});
  }
};

TEST_F(AdminMediaPasswordThrottleTest, PasswordAttemptsAreLimitedPerUserAndPerAddress) {
  const Person dave = person("dave", {{"password", "dave's password"}});
  const Person erin = person("erin", {{"password", "erin's password"}});
  const std::string wrong = basic_auth(dave.username + ":guess");

  EXPECT_EQ(upload(png(100), wrong).status, 401);
  EXPECT_EQ(upload(png(100), wrong).status, 401);
  const Reply limited = upload(png(100), wrong);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.error_code(), "rate_limited");
  EXPECT_FALSE(limited.header("Retry-After").empty());
  // Counted before the check: the right password waits too; a token does not.
  EXPECT_EQ(upload(png(100), basic_auth(dave.username + ":dave's password")).status, 429);
  EXPECT_EQ(upload(png(100), dave.bearer).status, 201);
  EXPECT_EQ(upload(png(100), basic_auth(erin.username + ":erin's password")).status, 201);

  // Five attempts from this address so far; names of no account count on it too.
  for (const std::string name : {"nobody_1", "nobody_2", "nobody_3"}) {
    EXPECT_EQ(upload(png(100), basic_auth(name + ":x")).status, 401) << name;
  }
  EXPECT_EQ(upload(png(100), basic_auth("nobody_4:x")).status, 429);
  EXPECT_EQ(download("m-1", basic_auth(erin.username + ":erin's password")).status, 429);
  EXPECT_EQ(upload(png(100), erin.bearer).status, 201);
}

}  // namespace
}  // namespace chat::admin::testing
