#pragma once
// Serves one parsed client request against the database: checks who may do
// what (members only, owner only), runs the storage calls, and builds the
// answer and the events it causes (membership, chat.muted). No threads, no
// MQTT, no retries: the request worker and its RequestData own those.
#include "chat/bridge/request_data.hpp"
#include "chat/bridge/requests.hpp"

#include <string>
#include <vector>

namespace chat::bridge {

struct OutgoingEvent {
  std::string topic;  // u/{uid}/ev
  std::string payload;
};

struct RequestOutcome {
  std::string response;  // the payload for u/{uid}/rsp/{device}
  bool ok = true;
  std::vector<OutgoingEvent> events;  // chat.added/removed/deleted/updated/muted for the users concerned
};

// Answers `request` from user `caller`. A refusal (not found, forbidden,
// conflict, …) is an error answer; what `data` throws (a database error no
// retry cured) is the caller's to answer as `internal`.
RequestOutcome handle_request(const Request& request, Id caller, RequestData& data);

}  // namespace chat::bridge
