#pragma once
// The storage interface of the platform: the bridge, the auth plugin's loader
// and the admin tools read and write through the entity stores of a Store,
// never through SQL of their own. A Store owns one connection; its entity
// stores (users, chats, messages, delivery, media, auth, blocks) share it. Each
// method is one transaction (or one read) on that connection; see
// connection.hpp for what happens when the server restarts.
//
// Errors are DbError (errors.hpp): unique_violation with constraint() naming
// which (constraints.hpp), foreign_key_violation for a user or chat that does
// not exist, check_violation for a value outside the wire contract's formats.
// Writes retry by themselves across a lost connection; one whose COMMIT was
// cut off throws commit_in_doubt (it may have been applied), except
// append_messages, which is safe to repeat and repeats it.
//
// Not thread-safe: one Store per thread (each owns one connection).
#include "chat/storage/admin_types.hpp"
#include "chat/storage/auth_store.hpp"
#include "chat/storage/blocks.hpp"
#include "chat/storage/chats.hpp"
#include "chat/storage/connection.hpp"
#include "chat/storage/delivery.hpp"
#include "chat/storage/media_catalog.hpp"
#include "chat/storage/messages.hpp"
#include "chat/storage/migrations.hpp"
#include "chat/storage/users.hpp"

#include <string>

namespace chat::storage {

class Store {
 public:
  // Connects; changes nothing (the schema is migrate()'s job).
  explicit Store(std::string conninfo);
  explicit Store(Connection connection);
  // The entity stores refer to the connection inside: a Store stays where it is.
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  MigrationReport migrate();
  SchemaStatus schema_status();

  UserStore& users() noexcept { return users_; }
  ChatStore& chats() noexcept { return chats_; }
  MessageStore& messages() noexcept { return messages_; }
  DeliveryStore& delivery() noexcept { return delivery_; }
  MediaCatalog& media() noexcept { return media_; }
  AuthStore& auth() noexcept { return auth_; }
  BlockStore& blocks() noexcept { return blocks_; }

  // Counts across the entities in one snapshot, and messages per UTC day of
  // the last `days` (1..366).
  PlatformStats stats(int days);

  // The Store's session, for a component's own statements (same thread only).
  Connection& connection() noexcept { return connection_; }

 private:
  Connection connection_;
  UserStore users_{connection_};
  ChatStore chats_{connection_};
  MessageStore messages_{connection_};
  DeliveryStore delivery_{connection_};
  MediaCatalog media_{connection_};
  AuthStore auth_{connection_};
  BlockStore blocks_{connection_};
};

}  // namespace chat::storage
