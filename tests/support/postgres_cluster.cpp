#include "chat/testing/postgres_cluster.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace chat::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 30s;
constexpr auto kStopTimeout = 30s;
constexpr const char* kServerUser = "postgres";
constexpr const char* kDebianBinDir = "/usr/lib/postgresql/15/bin";

// The directory with initdb/postgres/psql: $CHAT_PG_BINDIR, else what
// `pg_config --bindir` says (Debian's pg_config points into the versioned
// directory, which is not on PATH), else Debian's PostgreSQL 15 location.
std::filesystem::path find_bin_dir() {
  if (const char* env = std::getenv("CHAT_PG_BINDIR"); env != nullptr && *env != '\0') {
    return env;
  }
  try {
    const auto result = run_command({"pg_config", "--bindir"});
    std::string dir = result.output;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
    if (result.exit_code == 0 && std::filesystem::exists(std::filesystem::path(dir) / "initdb")) {
      return dir;
    }
  } catch (const std::exception&) {
    // pg_config is not installed: fall through to the known location.
  }
  return kDebianBinDir;
}

// ^[a-z_][a-z0-9_]{0,62}$: such a name needs no quoting in SQL.
void require_identifier(const std::string& name) {
  const auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  bool plain = !name.empty() && name.size() <= 63 && lower_or_underscore(name.front());
  for (const char c : name) plain = plain && (lower_or_underscore(c) || (c >= '0' && c <= '9'));
  if (!plain) throw std::invalid_argument("not a plain database name: '" + name + "'");
}

bool process_group_alive(pid_t group) { return ::kill(-group, 0) == 0 || errno != ESRCH; }

// Prefixes argv so that it is SIGKILLed when its parent dies. Applied at each
// level (runuser, then postgres under it), the server dies with the test
// binary even when that crashes before any destructor runs, instead of
// lingering on its port. (Linux ties the signal to the parent *thread*.)
std::vector<std::string> dies_with_parent(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"setpriv", "--pdeathsig", "KILL"});
  return argv;
}

}  // namespace

PostgresCluster::PostgresCluster()
    : bin_dir_(find_bin_dir()),
      dir_("chat-pg"),
      data_dir_(dir_.path() / "data"),
      log_path_(dir_.path() / "postgres.log") {
  dir_.give_to(kServerUser);
  // --no-sync and --locale=C: fast, and text sorts bytewise in every test run.
  // LC_CTYPE C.UTF-8 (as scripts/stack's clusters): letters are Unicode's, so
  // lower(), ILIKE and message search's trigrams (migration 9) keep and fold
  // Cyrillic and CJK; under C they drop every non-ASCII character.
  run_checked(as_user_if_root(
      kServerUser, {tool("initdb").string(), "-D", data_dir_.string(), "--auth=trust", "-U", "postgres", "--no-sync",
                    "--no-instructions", "-E", "UTF8", "--locale=C", "--lc-ctype=C.UTF-8"}));
  // A port that was free a moment ago may be taken by a parallel test before
  // the server binds it: then try another one.
  for (int attempt = 1;; ++attempt) {
    port_ = free_loopback_port();
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 3 || log().find("Address already in use") == std::string::npos) throw;
    }
  }
}

PostgresCluster::~PostgresCluster() {
  try {
    stop();
  } catch (...) {
    // Never throw from a destructor; ChildProcess's own destructor still reaps the server.
  }
}

std::filesystem::path PostgresCluster::tool(const std::string& name) const { return bin_dir_ / name; }

std::string PostgresCluster::conninfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + dbname + " connect_timeout=5";
}

void PostgresCluster::start() {
  if (server_ && server_->running()) return;
  // fsync=off and full_page_writes=off only give up surviving an OS crash.
  // synchronous_commit stays on: a committed transaction's WAL must have left
  // the server's memory, or kill_hard() (a server crash) would lose it.
  server_ = std::make_unique<ChildProcess>(
      dies_with_parent(as_user_if_root(
          kServerUser,
          dies_with_parent({tool("postgres").string(), "-D", data_dir_.string(), "-p", std::to_string(port_), "-k",
                            dir_.path().string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                            "full_page_writes=off", "-c", "max_connections=100"}))),
      log_path_.string());
  wait_until_ready();
}

void PostgresCluster::wait_until_ready() {
  // A TCP accept is not enough: during startup and recovery the server accepts
  // and answers "the database system is starting up". pg_isready exits 0 only
  // once connections are really accepted.
  const auto ready = [this] {
    if (!server_->running()) return true;  // reported below with the log
    return run_command({tool("pg_isready").string(), "-q", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U",
                        "postgres", "-d", "postgres", "-t", "1"})
               .exit_code == 0;
  };
  const bool settled = wait_until(ready, std::chrono::duration_cast<std::chrono::milliseconds>(kStartTimeout));
  if (!settled || !server_->running()) {
    server_.reset();
    throw std::runtime_error("PostgreSQL did not start on port " + std::to_string(port_) + "; log:\n" + log());
  }
}

int PostgresCluster::postmaster_pid() const {
  // postmaster.pid's first line is the postmaster's pid. Under runuser the
  // ChildProcess is runuser itself, which would not forward SIGINT.
  std::ifstream in(data_dir_ / "postmaster.pid");
  int pid = -1;
  if (!(in >> pid)) return -1;
  return pid;
}

bool PostgresCluster::running() { return server_ && server_->running(); }

void PostgresCluster::stop() {
  if (!server_) return;
  if (server_->running()) {
    // SIGINT is PostgreSQL's fast shutdown: it disconnects clients and stops at
    // once. SIGTERM (what ChildProcess sends) would wait for every client to leave.
    if (const int pid = postmaster_pid(); pid > 0) ::kill(pid, SIGINT);
    wait_until([this] { return !server_->running(); },
               std::chrono::duration_cast<std::chrono::milliseconds>(kStopTimeout));
  }
  if (server_->running()) kill_hard();
  server_.reset();
}

void PostgresCluster::restart() {
  stop();
  start();
}

void PostgresCluster::kill_hard() {
  if (!server_) return;
  // The server is in the child's process group (runuser, postmaster, backends):
  // kill the whole group so no backend outlives its postmaster.
  const pid_t group = server_->pid();
  if (group > 0) ::kill(-group, SIGKILL);
  server_->kill_hard();
  wait_until([group] { return !process_group_alive(group); }, std::chrono::milliseconds(5000));
  server_.reset();
}

std::string PostgresCluster::psql(const std::string& dbname, const std::string& sql) const {
  std::string out = run_checked({tool("psql").string(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                                 "127.0.0.1", "-p", std::to_string(port_), "-U", "postgres", "-d", dbname, "-c",
                                 "SET client_min_messages = warning", "-c", sql});
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void PostgresCluster::create_database(const std::string& name, const std::string& template_name) const {
  require_identifier(name);
  std::string sql = "CREATE DATABASE " + name;
  if (!template_name.empty()) {
    require_identifier(template_name);
    sql += " TEMPLATE " + template_name;
  }
  psql("postgres", sql);
}

std::string PostgresCluster::log() const {
  try {
    return read_file(log_path_);
  } catch (const std::exception&) {
    return "(no log)";
  }
}

}  // namespace chat::testing
