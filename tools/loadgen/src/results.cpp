#include "chat/loadgen/results.hpp"

namespace chat::loadgen {
namespace {

double span_s(std::uint64_t from, std::uint64_t to) {
  return to > from && from != 0 ? static_cast<double>(to - from) / 1e6 : 0.0;
}

}  // namespace

double RunTotals::acked_per_s() const {
  const double s = span_s(t0_us, last_ack_us);
  return s > 0 ? static_cast<double>(acked) / s : 0.0;
}

double RunTotals::deliveries_per_s() const {
  const double s = span_s(t0_us, last_delivery_us);
  return s > 0 ? static_cast<double>(counts.delivered) / s : 0.0;
}

double RunTotals::wall_s() const { return span_s(t0_us, end_us); }

}  // namespace chat::loadgen
