#pragma once
// chat-admin's /metrics in the Prometheus text format (0.0.4):
//
//   chat_admin_http_requests_total{method,route,status}     counter
//   chat_admin_http_request_duration_seconds{route}         histogram
//   chat_admin_media_uploads_total{kind,result}             counter (result: stored|deduplicated)
//   chat_admin_media_upload_bytes_total                     counter
//   chat_admin_media_rejected_total{reason}                 counter
//   chat_admin_media_gc_removed_total{what}                 counter (what: uploads|blobs)
//   chat_admin_media_bytes_stored / _blobs_stored           gauges, read from the catalogue per scrape
//
// Routes are the API's patterns ("/v1/admin/users/{id}"), never raw paths,
// so the label set stays small. Thread-safe. The media gauges are read from
// the catalogue per scrape and left out when the database does not answer.
#include "chat/observability/metrics.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::admin {

// The admin server's metrics over chat::observability's registry (the one
// chat-bridge uses too): one method per thing counted.
class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,  0.5,   1.0,  2.5,   5.0,  10.0};

  Metrics();

  void observe_request(std::string_view method, std::string_view route, int status, double seconds);
  void media_uploaded(std::string_view kind, bool new_blob, std::uint64_t bytes);
  void media_rejected(std::string_view reason);
  void gc_removed(std::uint64_t uploads, std::uint64_t blobs);

  struct Gauges {
    std::optional<std::int64_t> media_bytes_stored;  // nullopt: the database did not answer
    std::optional<std::int64_t> media_blobs_stored;
  };
  std::string render(const Gauges& gauges) const;

  // For tests: a counter's current value (0 when never touched).
  std::uint64_t requests(std::string_view method, std::string_view route, int status) const;

 private:
  observability::Registry registry_;
  observability::Counter& upload_bytes_;
  observability::Counter& gc_uploads_;
  observability::Counter& gc_blobs_;
};

}  // namespace chat::admin
