#pragma once
// The command line of chat-loadgen, parsed into plain data (tested without MQTT).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace chat::loadgen {

enum class Mode : std::uint8_t { plain, platform, connect_storm, fanout, sync };

std::string_view mode_name(Mode mode);
std::optional<Mode> parse_mode(std::string_view name);

// Exit codes, stable: scripts/bench.sh reads them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;        // the run could not be done (broker unreachable, ...)
inline constexpr int kExitUsage = 2;         // bad command line
inline constexpr int kExitNotAvailable = 3;  // the mode needs a part of the platform that has not landed
inline constexpr int kExitLossOrDup = 4;     // --strict: the run lost or duplicated messages

// The traffic of plain and platform runs (shape.hpp); custom: --users/--groups/... as given.
enum class Shape : std::uint8_t { custom, pairs, crowd, fanout };
std::string_view shape_name(Shape shape);
std::optional<Shape> parse_shape(std::string_view name);

// --watch-pid NAME=PID[,PID...]: a process (or several, e.g. PostgreSQL's) whose CPU is reported.
struct WatchedProcess {
  std::string name;
  std::vector<pid_t> pids;
};
std::optional<WatchedProcess> parse_watch_pid(std::string_view text);

struct Options {
  Mode mode = Mode::plain;
  // For fanout, connect-storm and sync: run the scenario's plain-broker equivalent
  // (the denominator of its ratio) instead of the platform.
  bool plain_baseline = false;
  std::string uri = "tcp://127.0.0.1:1883";
  std::uint32_t users = 100;
  std::uint32_t devices = 1;
  std::uint32_t groups = 0;
  std::uint32_t group_size = 0;
  double group_share = -1;     // share of group messages; < 0: 0.5 with groups, else 0
  std::uint32_t senders = 0;   // users that send (the first ones); 0: all
  std::uint64_t messages = 0;  // total first sends; 0 with no duration: 10000
  double duration_s = 0;       // send for this long instead of a count
  double rate = 0;             // messages/s over all senders; 0: as fast as the system takes them
  int qos = 1;
  std::uint32_t inflight = 100;  // per device: unacked messages at most
  std::uint32_t payload_bytes = 200;
  int mqtt_version = 5;   // 3 (3.1.1) or 5
  bool words = false;     // message text filled with words, not 'x' (build_message)
  bool no_local = false;  // MQTT 5 No Local: a sender gets no copy of its own messages
  pid_t broker_pid = 0;   // 0: broker CPU not measured
  double drain_timeout_s = 10;
  double connect_timeout_s = 20;
  std::uint32_t connect_window = 100;  // CONNECTs outstanding at once (mosquitto's listen backlog is ~100)
  Shape shape = Shape::custom;
  std::uint32_t pairs = 4;  // --shape pairs
  double first_rate = 0;    // --rate-first R:S: R msg/s for the first S seconds, then --rate
  double first_s = 0;
  double window_s = 10;               // figures per window of this many seconds
  std::vector<WatchedProcess> watch;  // --watch-pid
  double request_load = 0;            // sync (platform): history requests/s while the messages are written
  std::uint64_t seed = 1;
  std::uint64_t uid_base = 1000;
  std::uint64_t chat_base = 1;
  bool json = false;
  bool strict = false;
  bool help = false;
  // platform: the database where the run's users and groups are made and its messages
  // checked (default $CHAT_DATABASE_URL), and the token secret that signs the users in
  // (default $CHAT_TOKEN_SECRET_FILE; none: anonymous clients).
  std::string database_url;
  std::string token_secret_file;
  std::string latency_log;  // plain/platform: "sent_ms latency_ms ack|delivery" per ack and delivery
};

struct ParseResult {
  Options options;
  std::string error;  // empty on success
};

ParseResult parse_options(const std::vector<std::string>& args);  // args without argv[0]

std::string usage();

}  // namespace chat::loadgen
