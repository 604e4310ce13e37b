#pragma once
// The media catalogue: which uploads exist, who may read them, and which
// blobs nothing uses any more. The bytes themselves live on disk
// (tools/admin's media store).
#include "chat/storage/admin_types.hpp"
#include "chat/storage/connection.hpp"
#include "chat/storage/types.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chat::storage {

class MediaCatalog {
 public:
  explicit MediaCatalog(Connection& connection) noexcept : connection_(connection) {}

  MediaInsert insert(const NewMedia& media);  // idempotent per id
  std::optional<MediaRecord> find(std::string_view id);
  std::optional<MediaAccess> find_for(std::string_view id, UserId user);
  // Deletes up to `limit` uploads created before the time that no message
  // references; returns their sha256s (repeats possible).
  std::vector<std::string> delete_unreferenced(TimeMs created_before_ms, int limit);
  // The digests among `digests` that some catalogue row still uses.
  std::vector<std::string> digests_in_use(std::span<const std::string> digests);
  MediaTotals totals();

 private:
  Connection& connection_;
};

}  // namespace chat::storage
