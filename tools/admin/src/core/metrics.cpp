#include "chat/admin/metrics.hpp"

#include <vector>

namespace chat::admin {
namespace {

using observability::metric_labels;

constexpr const char* kRequests = "chat_admin_http_requests_total";
constexpr const char* kRequestsHelp = "HTTP requests by method, route pattern and status.";
constexpr const char* kDurations = "chat_admin_http_request_duration_seconds";
constexpr const char* kUploads = "chat_admin_media_uploads_total";
constexpr const char* kRejected = "chat_admin_media_rejected_total";
constexpr const char* kGcRemoved = "chat_admin_media_gc_removed_total";
constexpr const char* kGcRemovedHelp = "Unreferenced uploads and unused blobs removed by the collector.";

std::string request_labels(std::string_view method, std::string_view route, int status) {
  const std::string status_text = std::to_string(status);
  return metric_labels({{"method", method}, {"route", route}, {"status", status_text}});
}

}  // namespace

Metrics::Metrics()
    : upload_bytes_(registry_.counter("chat_admin_media_upload_bytes_total", "Bytes of accepted uploads.")),
      gc_uploads_(registry_.counter(kGcRemoved, kGcRemovedHelp, metric_labels({{"what", "uploads"}}))),
      gc_blobs_(registry_.counter(kGcRemoved, kGcRemovedHelp, metric_labels({{"what", "blobs"}}))) {}

void Metrics::observe_request(std::string_view method, std::string_view route, int status, double seconds) {
  registry_.counter(kRequests, kRequestsHelp, request_labels(method, route, status)).inc();
  registry_
      .histogram(kDurations, "Time from routing to the handler's answer.",
                 std::vector<double>(kBuckets.begin(), kBuckets.end()), metric_labels({{"route", route}}))
      .observe(seconds);
}

void Metrics::media_uploaded(std::string_view kind, bool new_blob, std::uint64_t bytes) {
  registry_
      .counter(kUploads, "Uploads accepted, by sniffed kind and whether the content was new.",
               metric_labels({{"kind", kind}, {"result", new_blob ? "stored" : "deduplicated"}}))
      .inc();
  upload_bytes_.inc(bytes);
}

void Metrics::media_rejected(std::string_view reason) {
  registry_.counter(kRejected, "Uploads refused, by reason.", metric_labels({{"reason", reason}})).inc();
}

void Metrics::gc_removed(std::uint64_t uploads, std::uint64_t blobs) {
  gc_uploads_.inc(uploads);
  gc_blobs_.inc(blobs);
}

std::uint64_t Metrics::requests(std::string_view method, std::string_view route, int status) const {
  return registry_.counter_value(kRequests, request_labels(method, route, status)).value_or(0);
}

std::string Metrics::render(const Gauges& gauges) const {
  std::string out = registry_.render();
  if (gauges.media_bytes_stored) {
    out += observability::render_gauge("chat_admin_media_bytes_stored", "Bytes of distinct blobs in the media store.",
                                       static_cast<double>(*gauges.media_bytes_stored));
  }
  if (gauges.media_blobs_stored) {
    out += observability::render_gauge("chat_admin_media_blobs_stored", "Distinct blobs in the media store.",
                                       static_cast<double>(*gauges.media_blobs_stored));
  }
  return out;
}

}  // namespace chat::admin
