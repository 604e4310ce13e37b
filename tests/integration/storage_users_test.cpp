#include "chat/storage/constraints.hpp"
#include "storage_test_env.hpp"

#include <chrono>

namespace chat::storage::testing {
namespace {

class UsersTest : public StorageTest {};

TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
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
  const User created = store().users().create(input);

  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.username, "alice");
  EXPECT_EQ(created.phone, "+4915112345678");
  EXPECT_EQ(created.display_name, "Alice A.");
  EXPECT_FALSE(created.disabled);
  EXPECT_GE(created.created_at_ms, before - 1000);
  EXPECT_LE(created.created_at_ms, now_ms() + 1000);
  EXPECT_EQ(created.updated_at_ms, created.created_at_ms);
  EXPECT_FALSE(created.last_seen_ms);

  const auto by_id = store().users().find(created.id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->user.username, "alice");
  EXPECT_EQ(by_id->user.created_at_ms, created.created_at_ms);
  EXPECT_TRUE(by_id->has_password);
  EXPECT_FALSE(by_id->online);
  EXPECT_FALSE(by_id->deleted());

  const auto by_name = store().users().find_by_username("ALICE");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->user.id, created.id);

  EXPECT_EQ(psql("SELECT password_hash FROM users WHERE id = " + std::to_string(created.id)), *input.password_hash);
}

TEST_F(UsersTest, UnknownUsersAreNotFound) {
  EXPECT_FALSE(store().users().find(424242));
  EXPECT_FALSE(store().users().find_by_username("nobody"));
}

TEST_F(UsersTest, UsernamesAreUniqueAfterCaseFolding) {
  make_user("alice");
  const DbError error = db_error_of([&] { make_user("Alice"); });
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.constraint(), constraint::username_taken);
  EXPECT_EQ(error.sqlstate(), "23505");
  // The failed insert left the connection usable.
  EXPECT_TRUE(store().users().find_by_username("alice"));
}

TEST_F(UsersTest, PhonesAreUnique) {
  NewUser first;
  first.username = "first";
  first.phone = "+4915100000001";
  store().users().create(first);
  NewUser second;
  second.username = "second";
  second.phone = "+4915100000001";
  const DbError error = db_error_of([&] { store().users().create(second); });
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.constraint(), constraint::phone_taken);
}

TEST_F(UsersTest, FormatsAreCheckedByTheSchema) {
  NewUser bad_phone;
  bad_phone.username = "carol";
  bad_phone.phone = "0151 1234567";
  const DbError phone = db_error_of([&] { store().users().create(bad_phone); });
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
    const User created = store().users().create(input);
    EXPECT_EQ(created.display_name, hostile[i]);
    EXPECT_EQ(store().users().find(created.id)->user.display_name, hostile[i]);
  }
  EXPECT_EQ(psql("SELECT count(*) FROM users"), std::to_string(hostile.size()));
}

TEST_F(UsersTest, TextWithNulBytesIsRefused) {
  NewUser input;
  input.username = "nul";
  input.display_name = std::string("a\0b", 3);
  const DbError error = db_error_of([&] { store().users().create(input); });
  EXPECT_EQ(error.code(), DbErrc::invalid_input);
  EXPECT_EQ(psql("SELECT count(*) FROM users"), "0");
}

TEST_F(UsersTest, UpdatesOnlyWhatThePatchNames) {
  NewUser input;
  input.username = "dave";
  input.phone = "+12025550123";
  input.display_name = "Dave";
  const User created = store().users().create(input);

  UserPatch rename;
  rename.display_name = "David";
  const auto renamed = store().users().update(created.id, rename);
  ASSERT_EQ(renamed.status, AccountStatus::ok);
  EXPECT_EQ(renamed.user->user.display_name, "David");
  EXPECT_EQ(renamed.user->user.phone, "+12025550123");
  EXPECT_FALSE(renamed.user->user.disabled);
  EXPECT_GE(renamed.user->user.updated_at_ms, created.updated_at_ms);

  UserPatch disable_and_clear_phone;
  disable_and_clear_phone.disabled = true;
  disable_and_clear_phone.phone = std::optional<std::string>{};
  const auto disabled = store().users().update(created.id, disable_and_clear_phone);
  ASSERT_EQ(disabled.status, AccountStatus::ok);
  EXPECT_TRUE(disabled.user->user.disabled);
  EXPECT_FALSE(disabled.user->user.phone);
  EXPECT_EQ(disabled.user->user.display_name, "David");

  UserPatch new_phone;
  new_phone.phone = std::optional<std::string>{"+12025550199"};
  EXPECT_EQ(store().users().update(created.id, new_phone).user->user.phone, "+12025550199");

  EXPECT_EQ(store().users().update(created.id, UserPatch{}).user->user.phone, "+12025550199");
  EXPECT_EQ(store().users().update(987654, rename).status, AccountStatus::not_found);
}

TEST_F(UsersTest, ADeletedAccountIsNotChanged) {
  const User gone = make_user("gone");
  ASSERT_EQ(store().users().delete_account(gone.id, false).status, AccountStatus::ok);
  UserPatch rename;
  rename.display_name = "Back";
  const AccountChange change = store().users().update(gone.id, rename);
  EXPECT_EQ(change.status, AccountStatus::deleted);
  EXPECT_FALSE(change.user);
  EXPECT_EQ(psql("SELECT display_name FROM users WHERE id = " + std::to_string(gone.id)), "");
  EXPECT_TRUE(store().users().find(gone.id)->deleted());
}

TEST_F(UsersTest, UpdateReportsConstraintViolations) {
  NewUser first;
  first.username = "erin";
  first.phone = "+4930123456";
  store().users().create(first);
  const User frank = make_user("frank");

  UserPatch take_phone;
  take_phone.phone = std::optional<std::string>{"+4930123456"};
  const DbError error = db_error_of([&] { store().users().update(frank.id, take_phone); });
  EXPECT_EQ(error.code(), DbErrc::unique_violation);
  EXPECT_EQ(error.constraint(), constraint::phone_taken);
}

}  // namespace
}  // namespace chat::storage::testing
