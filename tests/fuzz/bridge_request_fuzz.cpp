// The bridge's request parser (chat/bridge/requests.hpp): every client
// request passes it before anything reaches the database.
//
// Input: the request payload.
#include "chat/bridge/requests.hpp"
#include "fuzz_input.hpp"

#include <nlohmann/json.hpp>

namespace {

constexpr std::size_t kMaxBytes = 65536;  // the bridge's default max_payload_bytes

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool sorted_unique(const std::vector<chat::bridge::Id>& ids) {
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i - 1] >= ids[i]) return false;
  }
  return true;
}

// The bounds docs/protocol.md promises for what reaches the database.
void check_bounds(const chat::bridge::RequestArgs& args) {
  namespace limits = chat::bridge::request_limits;
  std::visit(
      Overloaded{
          [](const chat::bridge::ChatCreateArgs& a) {
            chat::fuzz::require(sorted_unique(a.members) && a.members.size() <= limits::kMaxGroupMembers);
          },
          [](const chat::bridge::ChatUsersArgs& a) {
            chat::fuzz::require(sorted_unique(a.users) && !a.users.empty() && a.users.size() <= limits::kMaxUsers);
          },
          [](const chat::bridge::HistoryArgs& a) {
            chat::fuzz::require(a.limit >= 1 && a.limit <= limits::kMaxHistoryLimit);
          },
          [](const chat::bridge::SyncArgs& a) { chat::fuzz::require(a.cursors.size() <= limits::kMaxSyncCursors); },
          [](const chat::bridge::PresenceGetArgs& a) {
            chat::fuzz::require(sorted_unique(a.users) && a.users.size() <= limits::kMaxPresenceUsers);
          },
          [](const chat::bridge::SearchArgs& a) {
            namespace search = chat::protocol::search;
            chat::fuzz::require(a.limit >= 1 && a.limit <= search::kMaxLimit);
            chat::fuzz::require(!a.query.empty() && a.query.size() <= 4 * search::kMaxQueryChars);
            chat::fuzz::require(a.query.find('\0') == std::string::npos);
            // A cursor read back is the one that would be written out.
            if (a.before) {
              chat::fuzz::require(chat::bridge::parse_search_cursor(chat::bridge::format_search_cursor(*a.before)) ==
                                  a.before);
            }
          },
          [](const auto&) {},
      },
      args);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto parsed = chat::bridge::parse_request(payload, kMaxBytes);
  std::string answer;
  if (const auto* request = std::get_if<chat::bridge::Request>(&parsed)) {
    chat::fuzz::require(!request->id.empty() && request->id.size() <= chat::bridge::request_limits::kMaxRequestIdBytes);
    check_bounds(request->args);
    answer = chat::bridge::ok_response(request->id, "{}");
  } else {
    const auto& failure = std::get<chat::bridge::RequestFailure>(parsed);
    answer = chat::bridge::error_response(failure.id, failure.error);
  }
  // Whatever came in, the answer the client gets is JSON.
  chat::fuzz::require(nlohmann::json::parse(answer, nullptr, false).is_object());
  return 0;
}
