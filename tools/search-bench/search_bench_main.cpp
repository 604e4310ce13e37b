// chat-search-bench: how long the `search` request's database work takes
// (MessageStore::search, the statement the bridge runs, with the bridge's
// limit + 1) over data that bench_data.sql loaded: p50 and p99 per time
// window and per kind of query. One session searching back to back, as a
// bridge request worker does. Its own CPU per search is printed too (what the
// client costs, so a reader sees it was not the limit). A measurement, never
// a test (scripts/bench-search runs it).
#include "chat/settings/settings.hpp"
#include "chat/storage/store.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using chat::storage::Statement;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kUsage =
    "usage: chat-search-bench [--seconds S] [--window W] CONNINFO\n"
    "\n"
    "Searches as random users of the data bench_data.sql loaded, for S seconds\n"
    "(default 60), and prints p50/p99 of each W-second window (default 10),\n"
    "then of the whole run by kind of query. A quarter of the searches name\n"
    "one of the user's chats, a quarter ask for a second page.\n";

// Queries by how common their word is: the vocabulary's ranks (bench_data.sql
// draws rank 3000 * u^3, so rank 0 is in many messages and rank 2999 in few).
constexpr Statement kQueries{"search_bench.queries", R"sql(
SELECT kind, word FROM (VALUES
  ('latin common', 0), ('latin frequent', 10), ('latin middling', 300), ('latin rare', 2999),
  ('cyrillic common', 3000), ('cyrillic rare', 5999), ('cjk word', 6000), ('cjk rare word', 8999)) AS q(kind, id)
JOIN search_bench_vocab v ON v.id = q.id
UNION ALL SELECT 'cjk one character', left(word, 1) FROM search_bench_vocab WHERE id = 6001
UNION ALL SELECT 'two letters', left(word, 2) FROM search_bench_vocab WHERE id = 1
UNION ALL SELECT 'no such text', 'zqxjv')sql"};

constexpr Statement kMemberships{"search_bench.memberships", R"sql(
SELECT m.user_id, m.chat_id FROM chat_members m JOIN users u ON u.id = m.user_id
WHERE u.username ~ '^sb[0-9]+$' ORDER BY m.user_id, m.chat_id)sql"};

// A day: longer runs are a mistake, not a benchmark.
constexpr int kMaxSeconds = 86400;

struct Options {
  int seconds = 60;
  int window = 10;
  std::string conninfo;
};

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--seconds" || arg == "--window") {
      if (i + 1 >= argc) return std::nullopt;
      int& value = arg == "--seconds" ? options.seconds : options.window;
      if (!chat::settings::parse_int_setting(std::string(arg), argv[++i], 1, kMaxSeconds, value).empty()) {
        return std::nullopt;
      }
      continue;
    }
    if (arg.starts_with("-") || !options.conninfo.empty()) return std::nullopt;
    options.conninfo = arg;
  }
  if (options.conninfo.empty()) return std::nullopt;
  return options;
}

// This process's CPU time (user + system) so far, in milliseconds.
double own_cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// Nearest-rank percentile of milliseconds (sorts `ms`).
double percentile(std::vector<double>& ms, double p) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(ms.size()) + 0.999999);
  return ms[std::min(ms.size(), std::max<std::size_t>(rank, 1)) - 1];
}

void print_line(const std::string& label, std::vector<double> ms) {
  const double p50 = percentile(ms, 50);
  const double p99 = percentile(ms, 99);
  std::printf("%-28s %7zu searches  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", label.c_str(), ms.size(), p50, p99,
              ms.empty() ? 0.0 : ms.back());
  std::fflush(stdout);
}

int run(const Options& options) {
  chat::storage::Store store(options.conninfo);
  std::vector<std::pair<std::string, std::string>> queries;
  for (const auto row : store.connection().execute(kQueries)) queries.emplace_back(row.text("kind"), row.text("word"));
  std::map<chat::storage::UserId, std::vector<chat::storage::ChatId>> chats_of;
  for (const auto row : store.connection().execute(kMemberships)) {
    chats_of[row.int64("user_id")].push_back(row.int64("chat_id"));
  }
  if (queries.empty() || chats_of.empty()) {
    std::cerr << "chat-search-bench: no benchmark data (load bench_data.sql first)\n";
    return 1;
  }
  std::vector<chat::storage::UserId> users;
  users.reserve(chats_of.size());
  for (const auto& [user, chats] : chats_of) users.push_back(user);
  std::printf("%zu users in %zu chats on average; queries:", users.size(),
              static_cast<std::size_t>(chats_of.begin()->second.size()));
  for (const auto& [kind, word] : queries) std::printf(" %s \"%s\";", kind.c_str(), word.c_str());
  std::printf("\n");

  const double cpu_start_ms = own_cpu_ms();
  const auto wall_start = Clock::now();
  std::uint64_t searches = 0;  // the untimed first pages of second-page searches included
  std::mt19937_64 random(42);
  std::map<std::string, std::vector<double>> by_kind;
  std::vector<double> window_ms;
  const auto start = Clock::now();
  auto window_end = start + std::chrono::seconds(options.window);
  const auto end = start + std::chrono::seconds(options.seconds);
  constexpr int kLimit = 20;
  for (std::uint64_t n = 0;; ++n) {
    const auto now = Clock::now();
    if (now >= window_end || now >= end) {
      const auto from = std::chrono::duration_cast<std::chrono::seconds>(window_end - start).count() - options.window;
      print_line("window " + std::to_string(from) + "-" + std::to_string(from + options.window) + " s", window_ms);
      window_ms.clear();
      window_end += std::chrono::seconds(options.window);
      if (now >= end) break;
    }
    const auto user = users[random() % users.size()];
    const auto& [kind, word] = queries[n % queries.size()];
    chat::storage::SearchQuery query;
    query.user = user;
    query.text = word;
    query.limit = kLimit + 1;
    const std::uint64_t variant = random() % 4;
    if (variant == 0) query.chat = chats_of[user][random() % chats_of[user].size()];
    std::string label = kind;
    if (variant == 1) {
      const auto first = store.messages().search(query);  // the page before, not timed
      ++searches;
      if (first.size() <= static_cast<std::size_t>(kLimit)) continue;
      query.before = first[kLimit - 1].cursor;
      label += " (page 2)";
    }
    const auto t0 = Clock::now();
    const auto hits = store.messages().search(query);
    ++searches;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    window_ms.push_back(ms);
    by_kind[label].push_back(ms);
    (void)hits;
  }
  std::printf("\nby kind of query (whole run):\n");
  std::vector<double> all;
  for (const auto& [kind, ms] : by_kind) {
    all.insert(all.end(), ms.begin(), ms.end());
    print_line(kind, ms);
  }
  print_line("all searches", all);
  const double cpu_ms = own_cpu_ms() - cpu_start_ms;
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - wall_start).count();
  std::printf("chat-search-bench's own CPU: %.3f ms per search (%llu searches, %.1f %% of one core)\n",
              searches > 0 ? cpu_ms / static_cast<double>(searches) : 0.0, static_cast<unsigned long long>(searches),
              wall_ms > 0 ? 100.0 * cpu_ms / wall_ms : 0.0);
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
    std::cerr << "chat-search-bench: " << error.what() << "\n";
    return 1;
  }
}
