// chat-append-cost: what the message path costs PostgreSQL per stored message.
//
// Runs Store::append_messages (the bridge's own transaction) in batches over a
// set of direct chats, and reads the CPU time of the database session's
// backend process (/proc/<pid>/stat: the server must run on this machine)
// before and after. CPU time, unlike a rate, means something on a machine
// whose cores are shared with other work. Never part of the tests.
#include "chat/storage/store.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "usage: chat-append-cost [--chats C] [--batch B] [--batches N] [--sessions S] [--notify] [--pause S]\n"
    "                        CONNINFO\n"
    "\n"
    "Makes 2*C users and their C direct chats, then stores N batches of B text\n"
    "messages spread evenly over the chats (Store::append_messages, or\n"
    "append_messages_notifying with --notify, every recipient offline), and\n"
    "prints the CPU time of the database backend per stored message.\n"
    "Defaults: C 4, B 80, N 500 (the bridge's hot pairs: 4 chats, 20 each).\n"
    "--sessions S: S sessions side by side (as S bridge writers), each with\n"
    "C/S of the chats and B/S messages a round (default 1).\n"
    "--pause S: print the backend's pid and wait S seconds first (for a\n"
    "profiler to attach: perf stat -e instructions -p PID counts until the\n"
    "session ends; instructions do not depend on the machine's other load).\n";

constexpr chat::storage::Statement kBackendPid{"append_cost.backend_pid", "SELECT pg_backend_pid() AS pid"};

struct Options {
  int chats = 4;
  int batch = 80;
  int batches = 500;
  bool notify = false;
  int pause_s = 0;
  int sessions = 1;
  std::string conninfo;
};

std::optional<int> positive(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--notify") {
      options.notify = true;
      continue;
    }
    if (arg == "--chats" || arg == "--batch" || arg == "--batches" || arg == "--pause" || arg == "--sessions") {
      if (i + 1 >= argc) return std::nullopt;
      const auto value = positive(argv[++i]);
      if (!value) return std::nullopt;
      (arg == "--chats"     ? options.chats
       : arg == "--batch"   ? options.batch
       : arg == "--batches" ? options.batches
       : arg == "--pause"   ? options.pause_s
                            : options.sessions) = *value;
      continue;
    }
    if (arg.starts_with("-") || !options.conninfo.empty()) return std::nullopt;
    options.conninfo = arg;
  }
  if (options.conninfo.empty()) return std::nullopt;
  return options;
}

// utime + stime of a process, in seconds.
double cpu_seconds_of(long pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(file, text);  // one line
  const auto close = text.rfind(')');
  if (close == std::string::npos) throw std::runtime_error("cannot read the backend's CPU time (same machine?)");
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  // After "pid (comm) ": state is field 1, utime field 12, stime field 13.
  for (int n = 1; n <= 13 && fields >> field; ++n) {
    if (n >= 12) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// One database session with its own chats, storing its share of each round.
class Session {
 public:
  Session(const std::string& conninfo, const std::string& tag, int chats, int batch, bool notify)
      : store_(conninfo), tag_(tag), batch_(static_cast<std::size_t>(batch)), notify_(notify) {
    using namespace chat::storage;
    for (int c = 0; c < chats; ++c) {
      const User a = store_.users().create({"ac" + tag + "a" + std::to_string(c), {}, {}, ""});
      const User b = store_.users().create({"ac" + tag + "b" + std::to_string(c), {}, {}, ""});
      chats_.push_back(store_.chats().open_direct(a.id, b.id).id);
      senders_.push_back(a.id);
    }
    backend_ = store_.connection().execute(kBackendPid)[0].int64("pid");
  }

  long backend() const { return backend_; }

  void append() {
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      const auto chat = i % chats_.size();
      batch_[i].chat_id = chats_[chat];
      batch_[i].sender_id = senders_[chat];
      batch_[i].client_msg_id = tag_ + "-" + std::to_string(next_id_++);
      batch_[i].body =
          R"({"text":"lg:0000000000000000:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})";
    }
    notify_ ? store_.messages().append_messages_notifying(batch_) : store_.messages().append_messages(batch_);
  }

 private:
  chat::storage::Store store_;
  std::string tag_;
  std::vector<chat::storage::NewMessage> batch_;
  bool notify_;
  std::vector<chat::storage::ChatId> chats_;
  std::vector<chat::storage::UserId> senders_;
  long backend_ = 0;
  long long next_id_ = 0;
};

int run(const Options& options) {
  if (options.chats % options.sessions != 0 || options.batch % options.sessions != 0) {
    std::cerr << "chat-append-cost: --chats and --batch must be multiples of --sessions\n";
    return 2;
  }
  const std::string tag =
      std::to_string(::getpid()) + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
  std::vector<std::unique_ptr<Session>> sessions;
  sessions.reserve(static_cast<std::size_t>(options.sessions));
  for (int s = 0; s < options.sessions; ++s) {
    sessions.push_back(std::make_unique<Session>(options.conninfo, tag + "s" + std::to_string(s),
                                                 options.chats / options.sessions, options.batch / options.sessions,
                                                 options.notify));
  }
  if (options.pause_s > 0) {
    for (const auto& session : sessions) std::cout << "backend pid " << session->backend() << std::endl;
    std::this_thread::sleep_for(std::chrono::seconds(options.pause_s));
  }
  for (const auto& session : sessions) {
    for (int warm = 0; warm < 20; ++warm) session->append();  // statements prepared, caches warm
  }

  const auto total_cpu = [&] {
    double cpu = 0;
    for (const auto& session : sessions) cpu += cpu_seconds_of(session->backend());
    return cpu;
  };
  const double cpu_before = total_cpu();
  const auto wall_before = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::vector<std::exception_ptr> failures(sessions.size());
  for (std::size_t s = 0; s < sessions.size(); ++s) {
    threads.emplace_back([&, s] {
      try {
        for (int n = 0; n < options.batches; ++n) sessions[s]->append();
      } catch (...) {
        failures[s] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double cpu = total_cpu() - cpu_before;
  const double messages = static_cast<double>(options.batches) * options.batch;
  const double transactions = static_cast<double>(options.batches) * options.sessions;
  std::cout << options.batches << " rounds of " << options.batch << " messages over " << options.chats << " chats, "
            << options.sessions << " session(s) side by side" << (options.notify ? " (notifying)" : "") << "\n"
            << "backend CPU per message: " << cpu * 1e6 / messages << " us\n"
            << "backend CPU per transaction: " << cpu * 1e3 / transactions << " ms\n"
            << "messages/s (shared machine, informational): " << messages / wall << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    return run(*options);
  } catch (const std::exception& error) {
    std::cerr << "chat-append-cost: " << error.what() << "\n";
    return 1;
  }
}
