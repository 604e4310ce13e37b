#pragma once
// Child processes for integration tests: real servers (postgres, mosquitto)
// and command-line tools, started without a shell so arguments never need
// quoting, and always reaped.
#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace chat::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) to completion and captures its output.
CommandResult run_command(const std::vector<std::string>& argv);

// Same, but throws std::runtime_error with the output when the exit code is not 0.
std::string run_checked(const std::vector<std::string>& argv);

// argv prefixed so that it runs as `user` when we are root (runuser), unchanged otherwise.
// PostgreSQL refuses to run as root, so the tests start it as the `postgres` user.
std::vector<std::string> as_user_if_root(const std::string& user, std::vector<std::string> argv);

bool running_as_root();

// A long-running child. Its stdout/stderr go to `log_path`. The destructor
// sends SIGTERM, waits up to a grace period, then SIGKILLs: a test that throws
// never leaves a server behind.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signo);
  // SIGTERM, then SIGKILL after `grace`. Returns the exit status as waitpid gives it.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Waits up to `timeout` for the child to exit on its own (after a signal the test
  // sent), then SIGKILLs. Sends no signal first: a second SIGTERM that lands while
  // the child is already exiting would kill it and hide its real exit status.
  int wait_exit(std::chrono::milliseconds timeout);
  void kill_hard();  // SIGKILL and reap, as a crash would

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace chat::testing
