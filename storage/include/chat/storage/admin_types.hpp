#pragma once
// Records of accounts (UserStore), chat summaries and member profiles
// (ChatStore), statistics (Store::stats) and the media catalogue
// (MediaCatalog), as the admin tools show them (docs/admin-api.md).
#include "chat/storage/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chat::storage {

// ---- users -------------------------------------------------------------------

struct UserAccount {
  User user;
  bool has_password = false;            // never the hash itself
  bool online = false;                  // any device online (devices.online)
  std::optional<TimeMs> deleted_at_ms;  // deleted (anonymised) accounts keep their row

  bool deleted() const { return deleted_at_ms.has_value(); }
};

enum class AccountStatus {
  ok,
  not_found,
  deleted,  // the account was deleted: it can no longer be changed
};

struct AccountChange {
  AccountStatus status = AccountStatus::ok;
  std::optional<UserAccount> user;  // set when ok
};

// What deleting an account did (Store::delete_user).
struct UserDeletion {
  AccountStatus status = AccountStatus::ok;
  std::optional<UserAccount> user;            // the anonymised account, when ok
  std::int64_t groups_left = 0;               // group memberships removed
  std::int64_t groups_handed_over = 0;        // groups it owned that now have a new owner
  std::int64_t groups_closed = 0;             // groups it owned that had nobody left (soft-deleted)
  std::int64_t messages_withheld = 0;         // its messages whose content is now withheld
  std::int64_t media_released = 0;            // its never-shared uploads removed from the catalogue
  std::vector<std::string> released_digests;  // their sha256s: blobs the caller may remove
};

// ---- chats -------------------------------------------------------------------

struct ChatSummary {
  Chat chat;
  std::int64_t member_count = 0;
};

struct MemberProfile {
  Member member;
  std::string username;
  std::string display_name;
};

// ---- statistics ------------------------------------------------------------------

struct DayCount {
  std::string day;  // YYYY-MM-DD, UTC
  std::int64_t messages = 0;
};

struct PlatformStats {
  std::int64_t users = 0;           // accounts not deleted
  std::int64_t disabled_users = 0;  // of those, disabled
  std::int64_t deleted_users = 0;
  std::int64_t online_users = 0;  // users with at least one device online
  std::int64_t online_devices = 0;
  std::int64_t chats = 0;  // not deleted
  std::int64_t groups = 0;
  std::int64_t direct_chats = 0;
  std::int64_t messages = 0;               // every stored message (sum of the chats' last_seq)
  std::int64_t media_files = 0;            // catalogue rows
  std::int64_t media_bytes = 0;            // bytes of distinct blobs
  std::vector<DayCount> messages_per_day;  // oldest first, today (UTC) last
};

// ---- media -------------------------------------------------------------------

struct MediaRecord {
  std::string id;
  UserId uploader_id = 0;
  std::string mime;
  std::int64_t size_bytes = 0;
  std::string sha256;  // lowercase hex
  TimeMs created_at_ms = 0;
  std::optional<TimeMs> first_referenced_at_ms;
};

struct NewMedia {
  std::string id;
  UserId uploader_id = 0;
  std::string mime;
  std::int64_t size_bytes = 0;
  std::string sha256;
};

struct MediaInsert {
  MediaRecord record;
  bool created = false;  // false: that id was catalogued before (the same upload again)
};

struct MediaAccess {
  MediaRecord record;
  // The user uploaded it, or is a member of a chat where a live (not
  // moderated) message references it.
  bool allowed = false;
};

struct MediaTotals {
  std::int64_t files = 0;  // catalogue rows
  std::int64_t blobs = 0;  // distinct contents
  std::int64_t bytes = 0;  // bytes of distinct contents
};

}  // namespace chat::storage
