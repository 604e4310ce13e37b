#include "run_report.hpp"

#include "chat/loadgen/cpu.hpp"
#include "chat/loadgen/verdict.hpp"

#include <fstream>
#include <unistd.h>

namespace chat::loadgen {
namespace {

// The machine's 1-minute load average (/proc/loadavg), to tell whether other processes took the CPU.
std::optional<double> load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  if (in >> one) return one;
  return std::nullopt;
}

}  // namespace

ProcessCpu::ProcessCpu(const Options& o) {
  if (o.broker_pid > 0) watched_.push_back(Watched{"broker", {o.broker_pid}, std::nullopt});
  for (const auto& w : o.watch) watched_.push_back(Watched{w.name, w.pids, std::nullopt});
  for (auto& w : watched_) w.start = sum(w.pids);
}

std::optional<double> ProcessCpu::sum(const std::vector<pid_t>& pids) {
  double total = 0;
  for (const auto pid : pids) {
    const auto s = process_tree_cpu_seconds(pid);
    if (!s) return std::nullopt;
    total += *s;
  }
  return total;
}

void ProcessCpu::stop() {
  for (const auto& w : watched_) {
    const auto end = sum(w.pids);
    std::string pids;
    for (const auto pid : w.pids) pids += (pids.empty() ? "" : ",") + std::to_string(pid);
    used_.push_back(Used{w.name, pids, w.start && end ? std::optional<double>(*end - *w.start) : std::nullopt});
  }
}

void describe_run(const Options& o, const Traffic& t, Report& report) {
  report.param("uri", o.uri);
  report.param("shape", std::string(shape_name(o.shape)));
  report.param("users", t.population.users);
  report.param("devices", t.population.devices);
  report.param("groups", t.population.groups);
  report.param("group_size", t.population.group_sizes.empty() ? t.population.group_size : 0);
  report.param("group_share", t.group_share);
  report.param("senders", t.senders);
  report.param("qos", o.qos);
  report.param("inflight", o.inflight);
  report.param("payload_bytes", o.payload_bytes);
  report.param("words", o.words ? "yes" : "no");
  report.param("mqtt_version", o.mqtt_version);
  report.param("no_local", o.no_local ? "yes" : "no");
  report.param("rate", o.rate);
  if (o.first_rate > 0) {
    report.param("rate_first", o.first_rate);
    report.param("rate_first_s", o.first_s);
  }
  report.param("loop", o.rate > 0 ? "open (fixed rate)" : "closed (as fast as acks come back)");
  report.param("window_s", o.window_s);
  if (o.duration_s > 0) {
    report.param("duration_s", o.duration_s);
  } else {
    report.param("messages", static_cast<double>(o.messages));
  }
}

namespace {

void window_table(const WindowedStats& windows, std::uint64_t end_us, Report& report) {
  const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
  std::vector<std::vector<double>> rows;
  for (std::size_t i = 0; i < windows.windows().size(); ++i) {
    const auto& w = windows.windows()[i];
    const double secs = windows.seconds_of(i, end_us);
    const auto per_s = [secs](std::uint64_t n) { return secs > 0 ? static_cast<double>(n) / secs : 0; };
    rows.push_back({static_cast<double>(i) * static_cast<double>(windows.window_us()) / 1e6, per_s(w.sent),
                    per_s(w.acked), per_s(w.delivered), ms(w.ack.percentile(50)), ms(w.ack.percentile(99)),
                    ms(w.ack.max()), ms(w.e2e.percentile(50)), ms(w.e2e.percentile(99)), ms(w.e2e.max()),
                    ms(w.publish_ack.percentile(50)), ms(w.publish_ack.percentile(99)), ms(w.publish_ack.max()),
                    ms(w.outbox_wait.percentile(99)), static_cast<double>(windows.unacked_at_end(i))});
  }
  // ack_*: intended send -> ack (what a user sees); pub_ack_*: publish -> ack (what the broker, bridge and
  // database add); wait_p99: the outbox wait; unacked_end: the senders' backlog plus in flight at the end.
  report.table(
      "windows", "per window (start s; rates /s; latencies ms)",
      {"t_s", "sent_per_s", "acked_per_s", "delivered_per_s", "ack_p50_ms", "ack_p99_ms", "ack_max_ms", "e2e_p50_ms",
       "e2e_p99_ms", "e2e_max_ms", "pub_ack_p50_ms", "pub_ack_p99_ms", "pub_ack_max_ms", "wait_p99_ms", "unacked_end"},
      std::move(rows));
}

}  // namespace

int fill_report(const Options& o, const RunTotals& t, const WindowedStats& windows, const ProcessCpu& cpu,
                Report& report) {
  const bool platform = o.mode == Mode::platform;
  const double wall = t.wall_s();
  const double send_s = t.send_end_us > t.t0_us ? static_cast<double>(t.send_end_us - t.t0_us) / 1e6 : 0;
  report.figure("clients", static_cast<double>(t.clients), "", "MQTT clients (users x devices)");
  report.figure("connect_s", t.connect_s, "s", "connect + subscribe, all clients");
  report.figure("sent", static_cast<double>(t.issued), "msg", "messages sent (first publishes, due ones included)");
  report.figure("acked", static_cast<double>(t.acked), "msg",
                o.qos == 0 ? "messages written (QoS 0: no ack)"
                : platform ? "messages stored and acked (bridge ack event)"
                           : "messages acked (PUBACK)");
  if (o.first_rate > 0) {
    report.figure("offered_first_per_s", o.first_rate, "msg/s",
                  "offered rate for the first " + std::to_string(static_cast<int>(o.first_s)) + " s");
  }
  if (o.rate > 0) report.figure("offered_per_s", o.rate, "msg/s", "offered rate (fixed schedule)");
  report.figure("msgs_per_s", t.acked_per_s(), "msg/s",
                o.qos == 0 ? "throughput, messages written/s" : "throughput, messages acked/s");
  report.figure("deliveries_per_s", t.deliveries_per_s(), "msg/s", "throughput, deliveries/s (all recipient devices)");
  report.figure("send_s", send_s, "s", "send phase");
  // Wall-clock start of window 0, so that samples taken beside the run (scripts/bench-platform's
  // PostgreSQL counters) line up with the windows.
  report.figure("start_unix_s", static_cast<double>(t.t0_us) / 1e6, "s", "send phase began (Unix time)");
  report.latency("e2e", t.e2e, "latency sender -> recipient");
  report.latency("ack", t.ack,
                 o.qos == 0 ? "latency send -> written"
                 : platform ? "latency send -> ack (bridge ack event)"
                            : "latency send -> ack (PUBACK)");
  if (o.rate > 0) {
    // Open loop: the send -> ack above counts from the due time; these split it in two.
    report.latency("publish_ack", t.publish_ack, "latency publish -> ack (handed to the broker -> ack)");
    report.latency("outbox_wait", t.outbox_wait, "wait in the sender's outbox (due -> publish)");
  }
  report.figure("expected", static_cast<double>(t.counts.expected), "", "deliveries expected");
  report.figure("delivered", static_cast<double>(t.counts.delivered), "", "deliveries received (distinct)");
  report.figure("lost", static_cast<double>(t.counts.lost), "", "deliveries lost");
  report.figure("duplicates", static_cast<double>(t.counts.duplicates), "",
                "deliveries duplicated (dropped by (from,id))");
  report.figure("unexpected", static_cast<double>(t.counts.unexpected), "", "deliveries to a non-recipient");
  report.figure("foreign", static_cast<double>(t.foreign), "", "messages not from this run");
  report.figure("rejected", static_cast<double>(t.rejected), "", "publishes refused (broker or nack)");
  report.figure("resends", static_cast<double>(t.resends), "", "resends (same id, after a failure/reconnect)");
  report.figure("reconnects", static_cast<double>(t.reconnects), "", "reconnects");
  report.figure("unknown_acks", static_cast<double>(t.unknown_acks), "", "acks for no pending message");
  report.figure("drained", t.drained ? 1 : 0, "", "all acked and delivered before --drain-timeout");

  // CPU: % of a core over the run, and µs of CPU per acked message.
  const double per = t.acked > 0 ? 1e6 / static_cast<double>(t.acked) : 0;
  const double loadgen_pct = wall > 0 ? 100.0 * t.cpu_s / wall : 0;
  report.figure("loadgen_cpu_pct", loadgen_pct, "% of a core", "loadgen CPU (one event-loop thread)");
  report.figure("loadgen_us_per_msg", t.cpu_s * per, "µs", "loadgen CPU per acked message");
  // A group message is one publish but many deliveries (the crowd: about 9 per message), and each
  // delivery costs the receiving client a PUBLISH read and a PUBACK written, as it costs the broker
  // the mirror image: per delivery the shapes compare.
  const double per_delivery = t.counts.delivered > 0 ? 1e6 / static_cast<double>(t.counts.delivered) : 0;
  report.figure("deliveries_per_msg",
                t.acked > 0 ? static_cast<double>(t.counts.delivered) / static_cast<double>(t.acked) : 0, "",
                "deliveries per acked message");
  report.figure("loadgen_us_per_delivery", t.cpu_s * per_delivery, "µs", "loadgen CPU per delivery");
  std::optional<double> broker_pct;
  for (const auto& u : cpu.used()) {
    if (!u.seconds) {
      report.note("could not read the CPU of " + u.name + " (pid " + u.pids + ")");
      continue;
    }
    const double pct = wall > 0 ? 100.0 * *u.seconds / wall : 0;
    if (u.name == "broker") broker_pct = pct;
    report.figure(u.name + "_cpu_pct", pct, "% of a core", u.name + " CPU (pid " + u.pids + ")");
    report.figure(u.name + "_us_per_msg", *u.seconds * per, "µs", u.name + " CPU per acked message");
    if (u.name == "broker") {
      report.figure("broker_us_per_delivery", *u.seconds * per_delivery, "µs", "broker CPU per delivery");
    }
  }
  report.figure("nproc", static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)), "", "cores on this machine");
  window_table(windows, t.end_us, report);

  if (!platform) {
    report.note(o.qos == 0 ? "plain broker, QoS 0: \"ack\" is libmosquitto writing the PUBLISH (there is no PUBACK)"
                           : "plain broker, no bridge: \"ack\" is the broker's PUBACK, not the platform's ack event");
  }
  report.note(o.rate > 0
                  ? "open loop: send -> ack counts from each message's scheduled send time (a message held by "
                    "a full window counts from then too); publish -> ack from when it was handed to the broker"
                  : "closed loop: latencies count from the first publish of a message (a resend keeps its time)");
  if (!platform && o.rate <= 0) {
    const auto verdict =
        limit_verdict(broker_pct, loadgen_pct, load_average(), static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
    report.figure("broker_bound", verdict.broker_bound ? 1 : 0, "", "broker-bound (broker near a full core)");
    report.note(verdict.text);
  }
  if (!t.drained) report.note("not drained: the figures include messages still missing at --drain-timeout");
  for (const auto& l : t.lost_examples) report.note("lost: " + l);
  if (o.strict && (t.counts.lost > 0 || t.counts.duplicates > 0 || t.counts.unexpected > 0)) return kExitLossOrDup;
  return kExitOk;
}

}  // namespace chat::loadgen
