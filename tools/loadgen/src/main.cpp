// chat-loadgen: the platform's load generator and benchmark client.
// See tools/loadgen/README.md and `chat-loadgen --help`.
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/report.hpp"
#include "scenarios.hpp"

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

using namespace chat::loadgen;

// Why a mode cannot run yet, or empty when it can.
std::string unavailable(const Options& o) {
  switch (o.mode) {
    case Mode::plain:
    case Mode::platform:
      return {};
    case Mode::connect_storm:
      return o.plain_baseline || !o.token_secret_file.empty()
                 ? std::string{}
                 : "needs --token-secret-file (or CHAT_TOKEN_SECRET_FILE): the clients sign in with tokens "
                   "(--plain runs the anonymous baseline)";
    case Mode::fanout:
      return o.plain_baseline
                 ? std::string{}
                 : "through the platform it is --mode platform --shape fanout (--plain runs the broker-only "
                   "baseline, the same as --mode plain --shape fanout)";
    case Mode::sync:
      return {};
  }
  return "unknown mode";
}

// Thousands of clients each hold a socket.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto parsed = parse_options(args);
  if (!parsed.error.empty()) {
    std::cerr << "chat-loadgen: " << parsed.error << "\n\n" << usage();
    return kExitUsage;
  }
  Options o = parsed.options;
  // connect-storm signs in like the platform mode: the secret may come from the stack's environment.
  if (o.mode == Mode::connect_storm && !o.plain_baseline && o.token_secret_file.empty()) {
    if (const char* secret = std::getenv("CHAT_TOKEN_SECRET_FILE"); secret != nullptr) o.token_secret_file = secret;
  }
  if (o.help) {
    std::cout << usage();
    return kExitOk;
  }
  std::string mode(mode_name(o.mode));
  if (o.plain_baseline && o.mode != Mode::plain) mode += " --plain";
  Report report(mode);

  if (const auto why = unavailable(o); !why.empty()) {
    report.set_available(false, why);
    std::cerr << report.human();
    if (o.json) std::cout << report.json() << std::endl;
    return kExitNotAvailable;
  }

  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  int rc = kExitFailed;
  try {
    switch (o.mode) {
      case Mode::plain:
        if (!o.token_secret_file.empty()) {
          // The auth plugin's cost without the bridge: the same traffic, signed in with tokens.
          const PlatformSetup setup = token_sign_in(o);
          report.note("signed in with tokens (--token-secret-file): the broker's auth plugin checks them");
          rc = run_messaging(o, report, &setup);
        } else {
          rc = run_messaging(o, report);
        }
        break;
      case Mode::fanout:
        rc = run_messaging(o, report);
        break;
      case Mode::connect_storm:
        rc = run_connect_storm(o, report);
        break;
      case Mode::sync:
        rc = o.plain_baseline ? run_sync(o, report) : run_sync_platform(o, report);
        break;
      case Mode::platform:
        rc = run_platform(o, report);
        break;
    }
  } catch (const std::exception& e) {
    std::cerr << "chat-loadgen: " << e.what() << "\n";
    return kExitFailed;
  }
  if (rc == kExitFailed) return rc;
  (o.json ? std::cerr : std::cout) << report.human();
  if (o.json) std::cout << report.json() << std::endl;
  return rc;
}
