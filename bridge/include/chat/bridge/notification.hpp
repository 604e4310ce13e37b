#pragma once
// The webhook's request body for one notification job (docs/bridge.md).
#include "chat/storage/delivery_types.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bridge {

// The first `max_chars` characters (code points, not bytes) of a text
// message; for media "[image]", "[voice]", "[file]", followed by the caption
// when there is one. An ellipsis marks a cut.
std::string message_preview(storage::MessageType type, std::string_view body_json, std::size_t max_chars = 100);

// {"id":"…","recipient":…,"sender":…,"sender_name":…,"chat":…,"chat_kind":…,
//  "chat_title":…,"seq":…,"type":…,"preview":…,"badge":…,"ts":…,"attempt":…}
std::string webhook_payload(const storage::PendingNotification& n);

// The Matrix push gateway API's body (POST /_matrix/push/v1/notify) for one
// job and these registrations of its recipient:
// {"notification":{"event_id":"<chat>:<seq>","room_id":"<chat>","type":"m.room.message",
//  "sender":"<uid>","sender_display_name":…,"room_name":…,"prio":"high",
//  "content":{"msgtype":…,"body":<preview>},"counts":{"unread":badge},
//  "devices":[{"app_id","pushkey","pushkey_ts" (s),"data"}]}}.
// event_id_only: only event_id, room_id, prio, counts and devices, as Synapse
// sends for such pushers (Sygnal then sends a push without text).
std::string matrix_notification_payload(const storage::PendingNotification& n,
                                        std::span<const storage::PushDevice> devices, bool event_id_only);

// Whether a registration asked for event ids only (its data.format).
bool wants_event_id_only(const storage::PushDevice& device);

// The pushkeys in a push gateway's answer {"rejected":[…]}; none when the
// answer has no such list (or is not JSON: a 2xx without a body is a success).
std::vector<std::string> rejected_pushkeys(std::string_view answer_body);

// An http(s) URL split for the HTTP client: "http://host:port" and "/path?query".
struct WebhookTarget {
  std::string origin;
  std::string path;
};
// nullopt unless the URL is http:// or https:// with a host.
std::optional<WebhookTarget> split_url(std::string_view url);

}  // namespace chat::bridge
