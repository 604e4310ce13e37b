// chat-bridge: see docs/bridge.md and `chat-bridge --help`.
#include "chat/bridge/config.hpp"
#include "chat/observability/log.hpp"
#include "service.hpp"

#include <csignal>
#include <iostream>

namespace {

chat::bridge::Service* running = nullptr;

extern "C" void on_signal(int) {
  if (running != nullptr) running->request_stop();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chat::bridge;
  const auto sources = chat::settings::process_sources();
  const ConfigResult loaded = load_config(std::vector<std::string>(argv + 1, argv + argc), sources);
  if (const auto exit_code = chat::settings::help_or_error(loaded, "chat-bridge", config_usage, std::cout, std::cerr)) {
    return *exit_code;
  }
  Logger log(std::cerr, parse_log_level(loaded.config.log_level).value_or(LogLevel::info));
  std::signal(SIGPIPE, SIG_IGN);
  try {
    Service service(loaded.config, log);
    running = &service;
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    const int code = service.run();
    running = nullptr;
    return code;
  } catch (const std::exception& error) {
    log.error("fatal", {{"error", error.what()}});
    return 1;
  }
}
