#pragma once
// Statements on the media catalogue (media_catalog.cpp). Record statements
// return the columns of read_media().
#include "chat/storage/statement.hpp"

namespace chat::storage::sql {

#define CHAT_MEDIA_COLUMNS                                \
  "m.id, m.uploader_id, m.mime, m.size_bytes, m.sha256, " \
  "epoch_ms(m.created_at) AS created_at_ms, "             \
  "epoch_ms(m.first_referenced_at) AS first_referenced_at_ms "

// Nothing is returned when the id is catalogued already (kFindMedia reads it).
inline constexpr Statement kInsertMedia{"media.insert", R"sql(
INSERT INTO media AS m (id, uploader_id, mime, size_bytes, sha256)
VALUES ($1::text, $2::bigint, $3::text, $4::bigint, $5::text)
ON CONFLICT (id) DO NOTHING
RETURNING )sql" CHAT_MEDIA_COLUMNS};

inline constexpr Statement kFindMedia{"media.find", "SELECT " CHAT_MEDIA_COLUMNS R"sql(
FROM media m
WHERE m.id = $1::text)sql"};

// The record and whether user $2 may read it: its uploader, or a member of a
// chat where a live (not moderated) message references it (media_refs, 0004).
inline constexpr Statement kFindMediaFor{"media.find_for", "SELECT " CHAT_MEDIA_COLUMNS R"sql(,
       (m.uploader_id = $2::bigint
        OR EXISTS (SELECT 1
                   FROM media_refs r
                   JOIN messages msg ON msg.chat_id = r.chat_id AND msg.seq = r.seq
                                    AND msg.deleted_at IS NULL
                   JOIN chat_members cm ON cm.chat_id = r.chat_id AND cm.user_id = $2::bigint
                   WHERE r.media_id = m.id)) AS allowed
FROM media m
WHERE m.id = $1::text)sql"};

// Up to $2 uploads created before $1 (ms) that no message references. Rows a
// message transaction holds (the media_refs trigger's KEY SHARE lock) are
// skipped, and every row is checked again once locked.
inline constexpr Statement kDeleteUnreferencedMedia{"media.delete_unreferenced", R"sql(
DELETE FROM media
WHERE id IN (SELECT id FROM media
             WHERE first_referenced_at IS NULL
               AND created_at < to_timestamp($1::bigint / 1000.0)
             ORDER BY created_at
             LIMIT $2::bigint
             FOR UPDATE SKIP LOCKED)
  AND first_referenced_at IS NULL
RETURNING sha256)sql"};

// Which of the digests $1 some catalogue row still uses.
inline constexpr Statement kMediaDigestsInUse{"media.digests_in_use", R"sql(
SELECT DISTINCT sha256 FROM media WHERE sha256 = ANY($1::text[]))sql"};

inline constexpr Statement kMediaTotals{"media.totals", R"sql(
SELECT count(*) AS files,
       count(DISTINCT sha256) AS blobs,
       (SELECT coalesce(sum(size_bytes), 0)::bigint
        FROM (SELECT DISTINCT ON (sha256) size_bytes FROM media ORDER BY sha256) d) AS bytes
FROM media)sql"};

#undef CHAT_MEDIA_COLUMNS

}  // namespace chat::storage::sql
