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
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view kUsage =
    "usage: chat-append-cost [--chats C] [--batch B] [--batches N] [--notify] [--pause S] CONNINFO\n"
    "\n"
    "Makes 2*C users and their C direct chats, then stores N batches of B text\n"
    "messages spread evenly over the chats (Store::append_messages, or\n"
    "append_messages_notifying with --notify, every recipient offline), and\n"
    "prints the CPU time of the database backend per stored message.\n"
    "Defaults: C 4, B 80, N 500 (the bridge's hot pairs: 4 chats, 20 each).\n"
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
    if (arg == "--chats" || arg == "--batch" || arg == "--batches" || arg == "--pause") {
      if (i + 1 >= argc) return std::nullopt;
      const auto value = positive(argv[++i]);
      if (!value) return std::nullopt;
      (arg == "--chats"     ? options.chats
       : arg == "--batch"   ? options.batch
       : arg == "--batches" ? options.batches
                            : options.pause_s) = *value;
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

int run(const Options& options) {
  using namespace chat::storage;
  Store store(options.conninfo);
  const std::string tag = std::to_string(::getpid()) + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
  std::vector<ChatId> chats;
  std::vector<UserId> senders;
  for (int c = 0; c < options.chats; ++c) {
    const User a = store.create_user({"ac" + tag + "a" + std::to_string(c), {}, {}, ""});
    const User b = store.create_user({"ac" + tag + "b" + std::to_string(c), {}, {}, ""});
    chats.push_back(store.open_direct(a.id, b.id).id);
    senders.push_back(a.id);
  }
  const long backend = store.connection().execute(kBackendPid)[0].int64("pid");
  if (options.pause_s > 0) {
    std::cout << "backend pid " << backend << std::endl;
    std::this_thread::sleep_for(std::chrono::seconds(options.pause_s));
  }

  std::vector<NewMessage> batch(static_cast<std::size_t>(options.batch));
  long long next_id = 0;
  const auto fill = [&] {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto chat = i % chats.size();
      batch[i].chat_id = chats[chat];
      batch[i].sender_id = senders[chat];
      batch[i].client_msg_id = tag + "-" + std::to_string(next_id++);
      batch[i].body = R"({"text":"lg:0000000000000000:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})";
    }
  };
  const auto append = [&] {
    fill();
    return options.notify ? store.append_messages_notifying(batch) : store.append_messages(batch);
  };
  for (int warm = 0; warm < 20; ++warm) append();  // statements prepared, caches warm

  const double cpu_before = cpu_seconds_of(backend);
  const auto wall_before = std::chrono::steady_clock::now();
  for (int n = 0; n < options.batches; ++n) append();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double cpu = cpu_seconds_of(backend) - cpu_before;
  const double messages = static_cast<double>(options.batches) * options.batch;
  std::cout << "batches " << options.batches << " x " << options.batch << " messages over " << options.chats
            << " chats" << (options.notify ? " (notifying)" : "") << "\n"
            << "backend CPU per message: " << cpu * 1e6 / messages << " us\n"
            << "backend CPU per batch: " << cpu * 1e3 / options.batches << " ms\n"
            << "wall per batch (shared machine, informational): " << wall * 1e3 / options.batches << " ms\n";
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
