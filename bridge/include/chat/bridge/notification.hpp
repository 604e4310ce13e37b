#pragma once
// The webhook's request body for one notification job (docs/bridge.md).
#include "chat/storage/delivery_types.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chat::bridge {

// The first `max_chars` characters (code points, not bytes) of a text
// message; for media "[image]", "[voice]", "[file]", followed by the caption
// when there is one. An ellipsis marks a cut.
std::string message_preview(storage::MessageType type, std::string_view body_json, std::size_t max_chars = 100);

// {"id":"…","recipient":…,"sender":…,"sender_name":…,"chat":…,"chat_kind":…,
//  "chat_title":…,"seq":…,"type":…,"preview":…,"badge":…,"ts":…,"attempt":…}
std::string webhook_payload(const storage::PendingNotification& n);

// An http(s) URL split for the HTTP client: "http://host:port" and "/path?query".
struct WebhookTarget {
  std::string origin;
  std::string path;
};
// nullopt unless the URL is http:// or https:// with a host.
std::optional<WebhookTarget> split_url(std::string_view url);

}  // namespace chat::bridge
