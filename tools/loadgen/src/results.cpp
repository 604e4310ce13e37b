#include "chat/loadgen/results.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace chat::loadgen {
namespace {

double span_s(std::uint64_t from, std::uint64_t to) {
  return to > from && from != 0 ? static_cast<double>(to - from) / 1e6 : 0.0;
}

std::uint64_t earliest(std::uint64_t a, std::uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

constexpr std::size_t kMaxLostExamples = 5;

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

std::string to_json(const RunTotals& t) {
  nlohmann::json j{
      {"t0_us", t.t0_us},
      {"send_end_us", t.send_end_us},
      {"end_us", t.end_us},
      {"last_ack_us", t.last_ack_us},
      {"last_delivery_us", t.last_delivery_us},
      {"cpu_s", t.cpu_s},
      {"connect_s", t.connect_s},
      {"clients", t.clients},
      {"issued", t.issued},
      {"acked", t.acked},
      {"rejected", t.rejected},
      {"publish_failures", t.publish_failures},
      {"resends", t.resends},
      {"reconnects", t.reconnects},
      {"unknown_acks", t.unknown_acks},
      {"foreign", t.foreign},
      {"messages", t.counts.messages},
      {"expected", t.counts.expected},
      {"delivered", t.counts.delivered},
      {"lost", t.counts.lost},
      {"duplicates", t.counts.duplicates},
      {"unexpected", t.counts.unexpected},
      {"unknown", t.counts.unknown},
      {"drained", t.drained},
      {"e2e", t.e2e.encode()},
      {"ack", t.ack.encode()},
      {"lost_examples", t.lost_examples},
  };
  return j.dump();
}

std::optional<RunTotals> totals_from_json(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  RunTotals t;
  bool ok = true;
  const auto u64 = [&](const char* key, std::uint64_t& out) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) {
      ok = false;
      return;
    }
    out = it->get<std::uint64_t>();
  };
  const auto dbl = [&](const char* key, double& out) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
      ok = false;
      return;
    }
    out = it->get<double>();
  };
  u64("t0_us", t.t0_us);
  u64("send_end_us", t.send_end_us);
  u64("end_us", t.end_us);
  u64("last_ack_us", t.last_ack_us);
  u64("last_delivery_us", t.last_delivery_us);
  dbl("cpu_s", t.cpu_s);
  dbl("connect_s", t.connect_s);
  u64("clients", t.clients);
  u64("issued", t.issued);
  u64("acked", t.acked);
  u64("rejected", t.rejected);
  u64("publish_failures", t.publish_failures);
  u64("resends", t.resends);
  u64("reconnects", t.reconnects);
  u64("unknown_acks", t.unknown_acks);
  u64("foreign", t.foreign);
  u64("messages", t.counts.messages);
  u64("expected", t.counts.expected);
  u64("delivered", t.counts.delivered);
  u64("lost", t.counts.lost);
  u64("duplicates", t.counts.duplicates);
  u64("unexpected", t.counts.unexpected);
  u64("unknown", t.counts.unknown);
  if (!ok) return std::nullopt;
  const auto drained = j.find("drained");
  const auto e2e = j.find("e2e");
  const auto ack = j.find("ack");
  const auto lost = j.find("lost_examples");
  if (drained == j.end() || !drained->is_boolean() || e2e == j.end() || !e2e->is_string() || ack == j.end() ||
      !ack->is_string() || lost == j.end() || !lost->is_array()) {
    return std::nullopt;
  }
  t.drained = drained->get<bool>();
  if (!t.e2e.decode(e2e->get<std::string>()) || !t.ack.decode(ack->get<std::string>())) return std::nullopt;
  for (const auto& l : *lost) {
    if (!l.is_string()) return std::nullopt;
    t.lost_examples.push_back(l.get<std::string>());
  }
  return t;
}

void merge(RunTotals& into, const RunTotals& part) {
  into.t0_us = earliest(into.t0_us, part.t0_us);
  into.send_end_us = std::max(into.send_end_us, part.send_end_us);
  into.end_us = std::max(into.end_us, part.end_us);
  into.last_ack_us = std::max(into.last_ack_us, part.last_ack_us);
  into.last_delivery_us = std::max(into.last_delivery_us, part.last_delivery_us);
  into.cpu_s += part.cpu_s;
  into.connect_s = std::max(into.connect_s, part.connect_s);
  into.clients += part.clients;
  into.issued += part.issued;
  into.acked += part.acked;
  into.rejected += part.rejected;
  into.publish_failures += part.publish_failures;
  into.resends += part.resends;
  into.reconnects += part.reconnects;
  into.unknown_acks += part.unknown_acks;
  into.foreign += part.foreign;
  into.counts.messages += part.counts.messages;
  into.counts.expected += part.counts.expected;
  into.counts.delivered += part.counts.delivered;
  into.counts.lost += part.counts.lost;
  into.counts.duplicates += part.counts.duplicates;
  into.counts.unexpected += part.counts.unexpected;
  into.counts.unknown += part.counts.unknown;
  into.drained = into.drained && part.drained;
  into.e2e.merge(part.e2e);
  into.ack.merge(part.ack);
  for (const auto& l : part.lost_examples) {
    if (into.lost_examples.size() < kMaxLostExamples) into.lost_examples.push_back(l);
  }
}

}  // namespace chat::loadgen
