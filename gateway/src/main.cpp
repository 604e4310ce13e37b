// chat-gateway: see docs/gateway.md and `chat-gateway --help`.
#include "chat/gateway/config.hpp"
#include "chat/observability/log.hpp"
#include "server.hpp"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
  using namespace chat::gateway;
  using chat::observability::Logger;
  using chat::observability::LogLevel;
  using chat::observability::parse_log_level;
  const auto sources = chat::settings::process_sources();
  const ConfigResult loaded = load_config(std::vector<std::string>(argv + 1, argv + argc), sources);
  if (const auto exit_code =
          chat::settings::help_or_error(loaded, "chat-gateway", config_usage, std::cout, std::cerr)) {
    return *exit_code;
  }
  Logger log(std::cerr, parse_log_level(loaded.config.log_level).value_or(LogLevel::info));
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run_gateway(loaded.config, log);
  } catch (const std::exception& error) {
    log.error("fatal", {{"error", error.what()}});
    return 1;
  }
}
