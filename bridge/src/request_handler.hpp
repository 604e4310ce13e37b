#pragma once
// Serves one parsed client request against the database: checks who may do
// what (members only, owner only), runs the Store calls, and builds the
// answer and the membership events it causes. No threads, no MQTT: the
// request worker owns those.
#include "chat/bridge/requests.hpp"
#include "db_session.hpp"

#include <string>
#include <vector>

namespace chat::bridge {

struct OutgoingEvent {
  std::string topic;  // u/{uid}/ev
  std::string payload;
};

struct RequestOutcome {
  std::string response;               // the payload for u/{uid}/rsp/{device}
  bool ok = true;
  std::vector<OutgoingEvent> events;  // chat.added/removed/deleted/updated for the users concerned
};

// Answers `request` from user `caller`. Database errors that a retry may cure
// are retried by `db`; anything else becomes an `internal` answer.
RequestOutcome handle_request(const Request& request, Id caller, DbSession& db);

}  // namespace chat::bridge
