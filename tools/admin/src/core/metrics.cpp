#include "chat/admin/metrics.hpp"

#include <charconv>
#include <sstream>

namespace chat::admin {
namespace {

// Label values are our own route patterns and names, but escape anyway.
std::string escape(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The shortest text that reads back as the same double ("0.005", not "0.0050000000000000001").
std::string format_double(double value) {
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  if (ec != std::errc()) return "NaN";
  return std::string(text, end);
}

}  // namespace

void Metrics::observe_request(std::string_view method, std::string_view route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(method), std::string(route), status}];
  Histogram& histogram = durations_[std::string(route)];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++histogram.buckets[i];
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::media_uploaded(std::string_view kind, bool new_blob, std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  ++uploads_[{std::string(kind), new_blob ? "stored" : "deduplicated"}];
  upload_bytes_ += bytes;
}

void Metrics::media_rejected(std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++rejected_[std::string(reason)];
}

void Metrics::gc_removed(std::uint64_t uploads, std::uint64_t blobs) {
  std::lock_guard lock(mutex_);
  gc_uploads_ += uploads;
  gc_blobs_ += blobs;
}

std::uint64_t Metrics::requests(std::string_view method, std::string_view route, int status) const {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find({std::string(method), std::string(route), status});
  return it == requests_.end() ? 0 : it->second;
}

std::string Metrics::render(const Gauges& gauges) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP chat_admin_http_requests_total HTTP requests by method, route pattern and status.\n"
         "# TYPE chat_admin_http_requests_total counter\n";
  for (const auto& [key, value] : requests_) {
    const auto& [method, route, status] = key;
    out << "chat_admin_http_requests_total{method=\"" << escape(method) << "\",route=\"" << escape(route)
        << "\",status=\"" << status << "\"} " << value << '\n';
  }
  out << "# HELP chat_admin_http_request_duration_seconds Time from routing to the handler's answer.\n"
         "# TYPE chat_admin_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : durations_) {
    const std::string label = "route=\"" + escape(route) + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "chat_admin_http_request_duration_seconds_bucket{" << label << ",le=\"" << format_double(kBuckets[i])
          << "\"} " << histogram.buckets[i] << '\n';
    }
    out << "chat_admin_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << histogram.count
        << '\n';
    out << "chat_admin_http_request_duration_seconds_sum{" << label << "} " << format_double(histogram.sum) << '\n';
    out << "chat_admin_http_request_duration_seconds_count{" << label << "} " << histogram.count << '\n';
  }
  out << "# HELP chat_admin_media_uploads_total Uploads accepted, by sniffed kind and whether the content was new.\n"
         "# TYPE chat_admin_media_uploads_total counter\n";
  for (const auto& [key, value] : uploads_) {
    out << "chat_admin_media_uploads_total{kind=\"" << escape(key.first) << "\",result=\"" << escape(key.second)
        << "\"} " << value << '\n';
  }
  out << "# HELP chat_admin_media_upload_bytes_total Bytes of accepted uploads.\n"
         "# TYPE chat_admin_media_upload_bytes_total counter\n"
      << "chat_admin_media_upload_bytes_total " << upload_bytes_ << '\n';
  out << "# HELP chat_admin_media_rejected_total Uploads refused, by reason.\n"
         "# TYPE chat_admin_media_rejected_total counter\n";
  for (const auto& [reason, value] : rejected_) {
    out << "chat_admin_media_rejected_total{reason=\"" << escape(reason) << "\"} " << value << '\n';
  }
  out << "# HELP chat_admin_media_gc_removed_total Unreferenced uploads and unused blobs removed by the collector.\n"
         "# TYPE chat_admin_media_gc_removed_total counter\n"
      << "chat_admin_media_gc_removed_total{what=\"uploads\"} " << gc_uploads_ << '\n'
      << "chat_admin_media_gc_removed_total{what=\"blobs\"} " << gc_blobs_ << '\n';
  if (gauges.media_bytes_stored) {
    out << "# HELP chat_admin_media_bytes_stored Bytes of distinct blobs in the media store.\n"
           "# TYPE chat_admin_media_bytes_stored gauge\n"
        << "chat_admin_media_bytes_stored " << *gauges.media_bytes_stored << '\n';
  }
  if (gauges.media_blobs_stored) {
    out << "# HELP chat_admin_media_blobs_stored Distinct blobs in the media store.\n"
           "# TYPE chat_admin_media_blobs_stored gauge\n"
        << "chat_admin_media_blobs_stored " << *gauges.media_blobs_stored << '\n';
  }
  return out.str();
}

}  // namespace chat::admin
