#include "chat/storage/identifiers.hpp"
#include "chat/storage/store.hpp"
#include "record_readers.hpp"
#include "sql/users_sql.hpp"

namespace chat::storage {

User Store::create_user(const NewUser& user) {
  const std::string username = fold_username(user.username);
  return connection_.transaction([&](Connection& tx) {
    return detail::read_user(tx.execute(sql::kCreateUser, username, user.phone, user.password_hash,
                                        user.display_name)
                                 .one());
  });
}

std::optional<User> Store::find_user(UserId id) {
  const auto row = connection_.execute(sql::kFindUserById, id).at_most_one();
  if (!row) return std::nullopt;
  return detail::read_user(*row);
}

std::optional<User> Store::find_user_by_username(std::string_view username) {
  const auto row = connection_.execute(sql::kFindUserByUsername, fold_username(username)).at_most_one();
  if (!row) return std::nullopt;
  return detail::read_user(*row);
}

std::optional<User> Store::update_user(UserId id, const UserPatch& patch) {
  if (patch.empty()) return find_user(id);
  const bool set_phone = patch.phone.has_value();
  const std::optional<std::string> phone = set_phone ? *patch.phone : std::nullopt;
  return connection_.transaction([&](Connection& tx) -> std::optional<User> {
    const auto row =
        tx.execute(sql::kUpdateUser, id, patch.display_name, set_phone, phone, patch.disabled)
            .at_most_one();
    if (!row) return std::nullopt;
    return detail::read_user(*row);
  });
}

}  // namespace chat::storage
