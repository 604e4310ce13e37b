#include "chat/storage/constraints.hpp"
#include "storage_test_env.hpp"

#include <chrono>

namespace chat::storage::testing {
namespace {

class UsersTest : public StorageTest {};

TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs fn, which must throw DbError, and returns it.
template <class F>
DbError db_error_of(F&& fn) {
  try {
    fn();
  } catch (const DbError& error) {
    return error;
  }
  ADD_FAILURE() << "no DbError was thrown";
  return DbError(DbErrc::internal, "none");
}

TEST_F(UsersTest, CreatesAndFindsAUser) {
  NewUser input;
  input.username = "Alice";
  input.phone = "+4915112345678";
  input.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
  input.display_name = "Alice A.";
  const TimeMs before = now_ms();
  const User created = store().create_user(input);

  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.username, "alice");
  EXPECT_EQ(created.phone, "+4915112345678");
  EXPECT_EQ(created.display_name, "Alice A.");
  EXPECT_FALSE(created.disabled);
  EXPECT_GE(created.created_at_ms, before - 1000);
  EXPECT_LE(created.created_at_ms, now_ms() + 1000);
  EXPECT_EQ(created.updated_at_ms, created.created_at_ms);
  EXPECT_FALSE(created.last_seen_ms);

  const auto by_id = store().find_user(created.id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->username, "alice");
  EXPECT_EQ(by_id->created_at_ms, created.created_at_ms);

  const auto by_name = store().find_user_by_username("ALICE");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->id, created.id);

  EXPECT_EQ(psql("SELECT password_hash FROM users WHERE id = " + std::to_string(created.id)),
            *input.password_hash);
}

TEST_F(UsersTest, UnknownUsersAreNotFound) {
  EXPECT_FALSE(store().find_user(424242));
  EXPECT_FALSE(store().find_user_by_username("nobody"));
}

TEST_F(UsersTest, UsernamesAreUniqueAfterCaseFolding) {
  make_user("alice");
  const DbError error = db_error_of([&] { make_user("Alice"); });
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.constraint(), constraint::username_taken);
  EXPECT_EQ(error.sqlstate(), "23505");
  // The failed insert left the connection usable.
  EXPECT_TRUE(store().find_user_by_username("alice"));
}

TEST_F(UsersTest, PhonesAreUnique) {
  NewUser first;
  first.username = "first";
  first.phone = "+4915100000001";
  store().create_user(first);
  NewUser second;
  second.username = "second";
  second.phone = "+4915100000001";
  const DbError error = db_error_of([&] { store().create_user(second); });
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.constraint(), constraint::phone_taken);
}

TEST_F(UsersTest, FormatsAreCheckedByTheSchema) {
  NewUser bad_phone;
  bad_phone.username = "carol";
  bad_phone.phone = "0151 1234567";
  const DbError phone = db_error_of([&] { store().create_user(bad_phone); });
  EXPECT_EQ(phone.code(), DbErrc::check_violation);
  EXPECT_EQ(phone.constraint(), constraint::phone_format);

  const DbError short_name = db_error_of([&] { make_user("ab"); });
  EXPECT_EQ(short_name.code(), DbErrc::check_violation);
  EXPECT_EQ(short_name.constraint(), constraint::username_format);

  const DbError spaced = db_error_of([&] { make_user("has space"); });
  EXPECT_EQ(spaced.constraint(), constraint::username_format);
}

TEST_F(UsersTest, SqlLookingTextIsStoredVerbatim) {
  const std::vector<std::string> hostile{
      "'; DROP TABLE users; --",
      "Robert'); DROP TABLE students;--",
      R"(back\slash "quoted" $1 %s {a,b} NULL)",
      "Zoë 👋 日本語",
  };
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    NewUser input;
    input.username = "user_" + std::to_string(i);
    input.display_name = hostile[i];
    const User created = store().create_user(input);
    EXPECT_EQ(created.display_name, hostile[i]);
    EXPECT_EQ(store().find_user(created.id)->display_name, hostile[i]);
  }
  EXPECT_EQ(psql("SELECT count(*) FROM users"), std::to_string(hostile.size()));
}

TEST_F(UsersTest, TextWithNulBytesIsRefused) {
  NewUser input;
  input.username = "nul";
  input.display_name = std::string("a\0b", 3);
  const DbError error = db_error_of([&] { store().create_user(input); });
  EXPECT_EQ(error.code(), DbErrc::invalid_input);
  EXPECT_EQ(psql("SELECT count(*) FROM users"), "0");
}

TEST_F(UsersTest, UpdatesOnlyWhatThePatchNames) {
  NewUser input;
  input.username = "dave";
  input.phone = "+12025550123";
  input.display_name = "Dave";
  const User created = store().create_user(input);

  UserPatch rename;
  rename.display_name = "David";
  const auto renamed = store().update_user(created.id, rename);
  ASSERT_TRUE(renamed);
  EXPECT_EQ(renamed->display_name, "David");
  EXPECT_EQ(renamed->phone, "+12025550123");
  EXPECT_FALSE(renamed->disabled);
  EXPECT_GE(renamed->updated_at_ms, created.updated_at_ms);

  UserPatch disable_and_clear_phone;
  disable_and_clear_phone.disabled = true;
  disable_and_clear_phone.phone = std::optional<std::string>{};
  const auto disabled = store().update_user(created.id, disable_and_clear_phone);
  ASSERT_TRUE(disabled);
  EXPECT_TRUE(disabled->disabled);
  EXPECT_FALSE(disabled->phone);
  EXPECT_EQ(disabled->display_name, "David");

  UserPatch new_phone;
  new_phone.phone = std::optional<std::string>{"+12025550199"};
  EXPECT_EQ(store().update_user(created.id, new_phone)->phone, "+12025550199");

  EXPECT_EQ(store().update_user(created.id, UserPatch{})->phone, "+12025550199");
  EXPECT_FALSE(store().update_user(987654, rename));
}

TEST_F(UsersTest, UpdateReportsConstraintViolations) {
  NewUser first;
  first.username = "erin";
  first.phone = "+4930123456";
  store().create_user(first);
  const User frank = make_user("frank");

  UserPatch take_phone;
  take_phone.phone = std::optional<std::string>{"+4930123456"};
  const DbError error = db_error_of([&] { store().update_user(frank.id, take_phone); });
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.constraint(), constraint::phone_taken);
}

}  // namespace
}  // namespace chat::storage::testing
