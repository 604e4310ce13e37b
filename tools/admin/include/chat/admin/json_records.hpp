#pragma once
// Storage records as the admin API shows them (docs/admin-api.md). Times are
// milliseconds since the Unix epoch; ids are JSON numbers, as on the wire.
#include "chat/admin/sniff.hpp"
#include "chat/storage/admin_types.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace chat::admin {

nlohmann::json user_json(const storage::UserAccount& user);
nlohmann::json chat_json(const storage::ChatSummary& chat);
nlohmann::json member_json(const storage::MemberProfile& member);
// The contract's message record (docs/protocol.md section 4): chat, seq,
// from, id, type, ts and the body's fields; a moderated message has
// "deleted": true and deleted_at instead of type and content.
nlohmann::json message_json(const storage::StoredMessage& message);
nlohmann::json stats_json(const storage::PlatformStats& stats);
nlohmann::json media_json(const storage::MediaRecord& media);

// {"items": items, "next": next or null}
nlohmann::json page_json(nlohmann::json items, const std::optional<std::string>& next);

// dump() that never throws on bad UTF-8 (it is replaced).
std::string dump(const nlohmann::json& json);

// The kind a catalogued mime belongs to (the sniffer's mapping).
MediaKind kind_of_mime(std::string_view mime);

}  // namespace chat::admin
