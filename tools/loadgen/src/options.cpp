#include "chat/loadgen/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

namespace chat::loadgen {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  if constexpr (std::is_floating_point_v<T>) {
    // from_chars for double is in GCC 12's libstdc++.
    T v{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(v)) return false;
    out = v;
  } else {
    T v{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return false;
    out = v;
  }
  return true;
}

}  // namespace

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::plain:
      return "plain";
    case Mode::platform:
      return "platform";
    case Mode::connect_storm:
      return "connect-storm";
    case Mode::fanout:
      return "fanout";
    case Mode::sync:
      return "sync";
  }
  return "?";
}

std::optional<Mode> parse_mode(std::string_view name) {
  for (const auto m : {Mode::plain, Mode::platform, Mode::connect_storm, Mode::fanout, Mode::sync}) {
    if (mode_name(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view shape_name(Shape shape) {
  switch (shape) {
    case Shape::custom:
      return "custom";
    case Shape::pairs:
      return "pairs";
    case Shape::crowd:
      return "crowd";
    case Shape::fanout:
      return "fanout";
  }
  return "?";
}

std::optional<Shape> parse_shape(std::string_view name) {
  for (const auto s : {Shape::custom, Shape::pairs, Shape::crowd, Shape::fanout}) {
    if (shape_name(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<WatchedProcess> parse_watch_pid(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  WatchedProcess w{.name = std::string(text.substr(0, eq)), .pids = {}};
  std::string_view rest = text.substr(eq + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    pid_t pid = 0;
    if (!parse_number(rest.substr(0, comma), pid) || pid <= 0) return std::nullopt;
    w.pids.push_back(pid);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
    if (rest.empty()) return std::nullopt;  // a trailing comma
  }
  if (w.pids.empty()) return std::nullopt;
  return w;
}

std::string usage() {
  return R"(chat-loadgen: load generator and benchmark client of the chat platform (wire contract v1).

usage: chat-loadgen --mode MODE [options]

modes:
  plain          simulated users send direct and group messages as plain pub-to-sub through a broker
                 with no plugin and no bridge; "ack" is the broker's PUBACK (QoS 1) or the write (QoS 0).
                 The denominator of every ratio.
  platform       the same traffic through the platform (auth plugin + bridge); ack = the bridge's ack
                 event ({"ev":"acks","acks":[...]} or the single {"ev":"ack",...}); checks the database
                 at the end.
  connect-storm  K clients (--users) sign in at once; connects/s and CONNACK latency.
  fanout         --plain: one sender, one group of --group-size members online (as --mode plain
                 --shape fanout; through the platform: --mode platform --shape fanout).
  sync           a user is offline while --messages arrive over --groups chats, then catches up through
                 the bridge's requests (chat.list + sync pages); catch-up time. --plain: the broker's
                 queue of a persistent session.
  With --plain, connect-storm, fanout and sync run their plain-broker equivalent (the denominator).
  plain and platform report CPU per acked message (loadgen, --broker-pid, --watch-pid) and figures per
  --window; every MQTT client of the process runs on one event-loop thread (libmosquitto).

traffic:
  --users N            simulated users (default 100)
  --devices D          devices (MQTT clients `{uid}:d{i}`) per user (default 1)
  --groups G           group chats (default 0); members of group g: users g*M .. g*M+M-1 (mod N)
  --group-size M       members per group
  --group-share P      share of messages sent to a group, 0..1 (default 0.5 with groups, else 0)
  --senders S          only the first S users send (default: all)
  --messages X         messages to send in total (default 10000)
  --duration S         send for S seconds instead of a count
  --rate R             fixed rate (open loop): message k is due at start + k/R and sent then whatever
                       came back; latency counts from that intended time. 0 = closed loop, as fast as
                       acks come back (default 0)
  --shape NAME         pairs: --pairs P sender->recipient direct-message pairs; crowd: --users (default
                       2000) users, 70 % direct / 30 % group messages in groups of 5-50 members; fanout:
                       one sender, one group of --group-size (default 200) members online
  --rate-first R:S     with --rate: R msg/s for the first S seconds (an overload), then --rate
  --pairs P            with --shape pairs (default 4)
  --qos 0|1            (default 1)
  --inflight W         unacked messages per device at most (default 100)
  --payload-bytes B    payload size (default 200)
  --words              fill the message text with words instead of one letter (distinct trigrams for
                       the search index, as people write)
  --mqtt-version 3|5   3 = MQTT 3.1.1 (default 5)
  --no-local           MQTT 5 subscriptions with No Local, as the contract's clients make them: the
                       sending device gets no copy of its own message (its other devices do)
run:
  --uri URI            broker (default tcp://127.0.0.1:1883)
  --broker-pid PID     measure the broker's CPU (/proc/PID/stat) over the run
  --drain-timeout S    after the last send, wait this long for acks and deliveries (default 10)
  --connect-timeout S  (default 20)
  --connect-window K   CONNECTs outstanding at once (default 100: above mosquitto's listen backlog,
                       refused SYNs are retried after 1 s)
  --window S           figures per window of S seconds besides the overall ones (default 10)
  --watch-pid NAME=PID[,PID..]  also measure these processes' CPU (e.g. bridge=123, postgres=4,5);
                       repeatable; reported as % of a core and µs per acked message
  --seed N             destination choice (default 1)
  --uid-base N         uid of user 0 (default 1000)     --chat-base N   chat id of group 0 (default 1)
platform:
  --database-url URL   where the run's users and groups are made and its messages checked
                       (default $CHAT_DATABASE_URL; uid/chat bases come from the database)
  --token-secret-file F  sign the users in with tokens under this secret (default
                       $CHAT_TOKEN_SECRET_FILE; none: anonymous, a broker without the plugin).
                       Also with plain and connect-storm: users `lg{uid}` with tokens, no database
                       (the auth plugin checks tokens from memory; direct messages only in plain)
  --request-load R     sync: another device of the reader sends R history requests/s while the
                       messages are written (send->ack latency with and without; default 0)
  --json               print one JSON object of figures on stdout (the summary goes to stderr)
  --latency-log FILE   plain and platform: one line per ack and per delivery, "sent_ms latency_ms
                       ack|delivery" (send time since the first send), to find when a run stalled
  --strict             exit 4 when a message was lost or duplicated
exit: 0 done, 1 failed, 2 usage, 3 mode not available yet, 4 --strict and lost/duplicated.
)";
}

ParseResult parse_options(const std::vector<std::string>& args) {
  ParseResult result;
  Options& o = result.options;
  bool saw_mode = false;
  bool users_given = false;

  using Setter = std::function<bool(std::string_view)>;
  const auto u32 = [](std::uint32_t& field, std::uint32_t min) {
    return Setter([&field, min](std::string_view v) { return parse_number(v, field) && field >= min; });
  };
  const auto u64 = [](std::uint64_t& field, std::uint64_t min) {
    return Setter([&field, min](std::string_view v) { return parse_number(v, field) && field >= min; });
  };
  const auto dbl = [](double& field, double min) {
    return Setter([&field, min](std::string_view v) { return parse_number(v, field) && field >= min; });
  };
  const std::map<std::string_view, Setter> valued{
      {"--mode",
       [&](std::string_view v) {
         const auto m = parse_mode(v);
         if (m) o.mode = *m, saw_mode = true;
         return m.has_value();
       }},
      {"--uri",
       [&](std::string_view v) {
         o.uri = v;
         return !v.empty();
       }},
      {"--users",
       [&](std::string_view v) {
         users_given = true;
         return parse_number(v, o.users) && o.users >= 1;
       }},
      {"--devices", u32(o.devices, 1)},
      {"--groups", u32(o.groups, 0)},
      {"--group-size", u32(o.group_size, 1)},
      {"--group-share",
       [&](std::string_view v) { return parse_number(v, o.group_share) && o.group_share >= 0 && o.group_share <= 1; }},
      {"--senders", u32(o.senders, 1)},
      {"--messages", u64(o.messages, 1)},
      {"--duration", [&](std::string_view v) { return parse_number(v, o.duration_s) && o.duration_s > 0; }},
      {"--rate", dbl(o.rate, 0)},
      {"--qos", [&](std::string_view v) { return parse_number(v, o.qos) && (o.qos == 0 || o.qos == 1); }},
      {"--inflight", u32(o.inflight, 1)},
      {"--payload-bytes", u32(o.payload_bytes, 1)},
      {"--mqtt-version",
       [&](std::string_view v) {
         return parse_number(v, o.mqtt_version) && (o.mqtt_version == 3 || o.mqtt_version == 5);
       }},
      {"--broker-pid", [&](std::string_view v) { return parse_number(v, o.broker_pid) && o.broker_pid > 0; }},
      {"--drain-timeout", dbl(o.drain_timeout_s, 0)},
      {"--connect-timeout",
       [&](std::string_view v) { return parse_number(v, o.connect_timeout_s) && o.connect_timeout_s > 0; }},
      {"--connect-window", u32(o.connect_window, 1)},
      {"--window", [&](std::string_view v) { return parse_number(v, o.window_s) && o.window_s > 0; }},
      {"--watch-pid",
       [&](std::string_view v) {
         const auto w = parse_watch_pid(v);
         if (w) o.watch.push_back(*w);
         return w.has_value();
       }},
      {"--shape",
       [&](std::string_view v) {
         const auto sh = parse_shape(v);
         if (sh) o.shape = *sh;
         return sh.has_value();
       }},
      {"--pairs", u32(o.pairs, 1)},
      {"--rate-first",
       [&](std::string_view v) {
         const auto colon = v.find(':');
         return colon != std::string_view::npos && parse_number(v.substr(0, colon), o.first_rate) &&
                parse_number(v.substr(colon + 1), o.first_s) && o.first_rate > 0 && o.first_s > 0;
       }},
      {"--seed", u64(o.seed, 0)},
      {"--uid-base", u64(o.uid_base, 1)},
      {"--chat-base", u64(o.chat_base, 1)},
      {"--request-load", dbl(o.request_load, 0)},
      {"--database-url",
       [&](std::string_view v) {
         o.database_url = v;
         return !v.empty();
       }},
      {"--token-secret-file",
       [&](std::string_view v) {
         o.token_secret_file = v;
         return !v.empty();
       }},
      {"--latency-log",
       [&](std::string_view v) {
         o.latency_log = v;
         return !v.empty();
       }},
  };
  const std::map<std::string_view, bool*> flags{{"--json", &o.json},
                                                {"--strict", &o.strict},
                                                {"--no-local", &o.no_local},
                                                {"--plain", &o.plain_baseline},
                                                {"--words", &o.words},
                                                {"--help", &o.help},
                                                {"-h", &o.help}};

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view value;
    bool has_value = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (const auto f = flags.find(arg); f != flags.end()) {
      if (has_value) {
        result.error = std::string(arg) + " takes no value";
        return result;
      }
      *f->second = true;
      continue;
    }
    const auto s = valued.find(arg);
    if (s == valued.end()) {
      result.error = "unknown option " + std::string(arg);
      return result;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        result.error = std::string(arg) + " needs a value";
        return result;
      }
      value = args[++i];
    }
    if (!s->second(value)) {
      result.error = "bad value for " + std::string(arg) + ": " + std::string(value);
      return result;
    }
  }
  if (o.help) return result;
  if (!saw_mode) {
    result.error = "--mode is required";
    return result;
  }
  if (o.messages > 0 && o.duration_s > 0) {
    result.error = "--messages and --duration exclude each other";
    return result;
  }
  if (o.messages == 0 && o.duration_s == 0) o.messages = 10000;
  if (o.groups > 0 && o.group_size == 0 && o.mode != Mode::sync && o.shape == Shape::custom) {
    result.error = "--groups needs --group-size";
    return result;
  }
  if (o.groups > 0 && o.group_size > o.users && o.mode != Mode::sync) {
    result.error = "--group-size cannot exceed --users";
    return result;
  }
  if (o.senders > o.users) {
    result.error = "--senders cannot exceed --users";
    return result;
  }
  if (o.group_share < 0) o.group_share = o.groups > 0 ? 0.5 : 0.0;
  if (o.users == 1 && o.groups == 0 && o.mode != Mode::connect_storm && o.mode != Mode::sync) {
    result.error = "one user with no group has no one to write to";
    return result;
  }
  if (o.request_load > 0 && (o.mode != Mode::sync || o.plain_baseline)) {
    result.error = "--request-load is for --mode sync through the platform (not --plain)";
    return result;
  }
  if (o.no_local && (o.mqtt_version != 5 || (o.mode != Mode::plain && o.mode != Mode::platform))) {
    result.error = "--no-local is for --mode plain and platform with --mqtt-version 5";
    return result;
  }
  if (!o.latency_log.empty() && o.mode != Mode::plain && o.mode != Mode::platform) {
    result.error = "--latency-log is for --mode plain and platform";
    return result;
  }
  if (o.shape != Shape::custom && o.mode != Mode::plain && o.mode != Mode::platform) {
    result.error = "--shape is for --mode plain and platform";
    return result;
  }
  if (o.shape == Shape::crowd && !users_given) o.users = 2000;
  if (o.first_rate > 0 && o.rate <= 0) {
    result.error = "--rate-first needs --rate (the rate after it)";
    return result;
  }
  if (static_cast<std::uint64_t>(o.users) * o.devices > (std::uint64_t{1} << 20)) {
    result.error = "at most 2^20 clients (users x devices)";
    return result;
  }
  return result;
}

}  // namespace chat::loadgen
