#include "chat/storage/store.hpp"

#include <utility>

namespace chat::storage {

Store::Store(std::string conninfo) : connection_(std::move(conninfo)) {}

Store::Store(Connection connection) : connection_(std::move(connection)) {}

MigrationReport Store::migrate() { return apply_migrations(connection_); }

SchemaStatus Store::schema_status() { return chat::storage::schema_status(connection_); }

}  // namespace chat::storage
