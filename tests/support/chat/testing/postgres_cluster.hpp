#pragma once
// A throwaway PostgreSQL cluster for integration tests: initdb into a temporary
// directory, one `postgres` on a free loopback port, torn down with the fixture.
//
// Tuned for speed: fsync is off, so an OS crash could lose data, but a server
// crash (kill_hard) loses no committed transaction. A cluster starts in about
// a second, and a test database cloned from a migrated template
// (create_database(name, template)) takes a few tens of milliseconds.
//
// PostgreSQL refuses to run as root, so when the tests run as root the server
// and initdb run as the `postgres` system user, which then owns the directory.
//
// The server is killed when the test binary dies, even by a crash. Linux ties
// that to the thread that started it: construct, start() and restart() from a
// thread that outlives the cluster (the main thread, as gtest Environments and
// SetUpTestSuite do), never from a short-lived worker thread.
#include "chat/testing/environment.hpp"
#include "chat/testing/process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace chat::testing {

class PostgresCluster {
 public:
  // Runs initdb and starts the server; throws std::runtime_error (with the
  // server log) when it does not come up.
  PostgresCluster();
  ~PostgresCluster();  // stops the server (fast shutdown) and removes the directory
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  std::uint16_t port() const { return port_; }
  // A libpq conninfo for `dbname` over TCP as the superuser `postgres` (trust auth).
  std::string conninfo(const std::string& dbname = "postgres") const;

  // CREATE DATABASE name [TEMPLATE template]. Names must match ^[a-z_][a-z0-9_]*$
  // (they are spliced into SQL). A template must have no open connections.
  void create_database(const std::string& name, const std::string& template_name = {}) const;

  // Runs `sql` with psql in `dbname` and returns its unaligned, tuples-only output
  // (`psql -At`), for assertions that must not depend on the code under test.
  std::string psql(const std::string& dbname, const std::string& sql) const;

  void stop();       // fast shutdown: clients are disconnected (57P01), data is kept
  void start();      // start again, same port and data directory
  void restart();    // stop() then start()
  void kill_hard();  // SIGKILL to every server process, as a crash would; start() recovers
  bool running();

  std::string log() const;
  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  std::filesystem::path tool(const std::string& name) const;
  void wait_until_ready();
  int postmaster_pid() const;

  std::filesystem::path bin_dir_;
  TempDir dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path log_path_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> server_;
};

}  // namespace chat::testing
