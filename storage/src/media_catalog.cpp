// The media catalogue: uploads (the bytes live in the admin server's media
// store), who may read them, and the garbage collector's deletions.
#include "chat/storage/media_catalog.hpp"
#include "media_queries.hpp"
#include "sql/media_sql.hpp"

namespace chat::storage {
namespace {

MediaRecord read_media(const Row& row) {
  MediaRecord media;
  media.id = row.text("id");
  media.uploader_id = row.int64("uploader_id");
  media.mime = row.text("mime");
  media.size_bytes = row.int64("size_bytes");
  media.sha256 = row.text("sha256");
  media.created_at_ms = row.int64("created_at_ms");
  media.first_referenced_at_ms = row.optional_int64("first_referenced_at_ms");
  return media;
}

}  // namespace

MediaTotals detail::media_totals(Connection& connection) {
  const Row row = connection.execute(sql::kMediaTotals).one();
  return MediaTotals{row.int64("files"), row.int64("blobs"), row.int64("bytes")};
}

MediaInsert MediaCatalog::insert(const NewMedia& media) {
  if (const auto row =
          connection_
              .execute(sql::kInsertMedia, media.id, media.uploader_id, media.mime, media.size_bytes, media.sha256)
              .at_most_one()) {
    return MediaInsert{read_media(*row), true};
  }
  // Catalogued before (the same upload again); read in a fresh snapshot, which
  // also sees a concurrent insert of the same id that made ours do nothing.
  const auto existing = connection_.execute(sql::kFindMedia, media.id).at_most_one();
  if (!existing) {
    // Inserted and garbage-collected in between: vanishingly rare; a retry
    // of the upload inserts it again.
    throw DbError(DbErrc::serialization_conflict, "insert_media: the row vanished; retry");
  }
  return MediaInsert{read_media(*existing), false};
}

std::optional<MediaRecord> MediaCatalog::find(std::string_view id) {
  const auto row = connection_.execute(sql::kFindMedia, id).at_most_one();
  if (!row) return std::nullopt;
  return read_media(*row);
}

std::optional<MediaAccess> MediaCatalog::find_for(std::string_view id, UserId user) {
  const auto row = connection_.execute(sql::kFindMediaFor, id, user).at_most_one();
  if (!row) return std::nullopt;
  return MediaAccess{read_media(*row), row->boolean("allowed")};
}

std::vector<std::string> MediaCatalog::delete_unreferenced(TimeMs created_before_ms, int limit) {
  if (limit < 0) throw DbError(DbErrc::invalid_input, "delete_unreferenced_media: limit must not be negative");
  std::vector<std::string> digests;
  for (const Row row : connection_.execute(sql::kDeleteUnreferencedMedia, created_before_ms, limit)) {
    digests.push_back(row.text("sha256"));
  }
  return digests;
}

std::vector<std::string> MediaCatalog::digests_in_use(std::span<const std::string> digests) {
  std::vector<std::string> in_use;
  if (digests.empty()) return in_use;
  for (const Row row : connection_.execute(sql::kMediaDigestsInUse, Param::text_array(digests))) {
    in_use.push_back(row.text("sha256"));
  }
  return in_use;
}

MediaTotals MediaCatalog::totals() { return detail::media_totals(connection_); }

}  // namespace chat::storage
