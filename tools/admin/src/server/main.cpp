// chat-admin: the admin HTTP API and the media store. See docs/admin-api.md
// and `chat-admin --help`.
#include "chat/admin/config.hpp"
#include "chat/credentials/password.hpp"
#include "chat/credentials/secret_file.hpp"
#include "chat/credentials/token.hpp"
#include "media_collector.hpp"
#include "server.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <sstream>
#include <thread>

namespace {

using namespace chat::admin;

constexpr std::size_t kMinAdminTokenBytes = 16;

// The secrets, or an error text.
std::string load_secrets(const Config& config, Secrets& secrets) {
  std::string error;
  if (!config.admin_token.empty()) {
    secrets.admin_token = config.admin_token;
  } else if (auto token = chat::credentials::read_secret_file(config.admin_token_file, error)) {
    secrets.admin_token = std::move(*token);
  } else {
    return "admin token: " + error;
  }
  if (secrets.admin_token.size() < kMinAdminTokenBytes) {
    return "the admin token must have at least " + std::to_string(kMinAdminTokenBytes) + " bytes";
  }
  if (auto secret = chat::credentials::read_secret_file(config.token_secret_file, error)) {
    secrets.token_secret = std::move(*secret);
  } else {
    return "token secret: " + error;
  }
  if (secrets.token_secret.size() < chat::credentials::kMinTokenSecretBytes) {
    return "the token secret must have at least " + std::to_string(chat::credentials::kMinTokenSecretBytes) + " bytes";
  }
  secrets.dummy_password_hash =
      chat::credentials::hash_password("chat-admin: no such user", config.password_iterations);
  return {};
}

// The schema this build needs, applied under the migrations' advisory lock
// (as every service does); retried while the database is starting.
bool migrate(const Config& config, Log& log) {
  for (int attempt = 1;; ++attempt) {
    try {
      chat::storage::Store store(config.database_url);
      const auto report = store.migrate();
      if (!report.applied.empty()) {
        log.info("schema migrated from version " + std::to_string(report.from_version) + " to " +
                 std::to_string(report.to_version));
      }
      return true;
    } catch (const chat::storage::DbError& error) {
      if (!error.retryable() || attempt >= 30) {
        log.error(std::string("database: ") + error.what());
        return false;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    } catch (const std::exception& error) {
      log.error(std::string("schema: ") + error.what());
      return false;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const ConfigSources sources = chat::settings::process_sources();
  const ConfigResult loaded = load_config(std::vector<std::string>(argv + 1, argv + argc), sources);
  if (const auto exit_code = chat::settings::help_or_error(loaded, "chat-admin", config_usage, std::cout, std::cerr)) {
    return *exit_code;
  }
  const Config& config = loaded.config;

  // Signals are taken by sigwait() below; every thread started from here on
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Log log(std::cerr);
  Secrets secrets;
  try {
    if (auto error = load_secrets(config, secrets); !error.empty()) {
      std::cerr << "chat-admin: " << error << '\n';
      return 2;
    }
  } catch (const std::exception& error) {
    std::cerr << "chat-admin: " << error.what() << '\n';
    return 1;
  }
  if (!migrate(config, log)) return 1;

  try {
    MediaStore media(config.media_dir);
    Metrics metrics;
    StorePool pool(config.database_url);
    MediaLimits limits{config.media_max_image_bytes, config.media_max_voice_bytes, config.media_max_file_bytes};
    // Keys that have recovered their allowance are forgotten when room is needed.
    constexpr std::size_t kThrottledKeys = 100000;
    AttemptThrottle passwords_by_address({config.password_burst_per_address, config.password_per_minute_per_address},
                                         kThrottledKeys);
    AttemptThrottle passwords_by_user({config.password_burst_per_user, config.password_per_minute_per_user},
                                      kThrottledKeys);
    Context context{config, std::move(secrets),   limits,           pool, media, metrics,
                    log,    passwords_by_address, passwords_by_user};

    AdminServer server(context);
    const int port = server.bind();
    log.info("listening on http://" + config.bind + ":" + std::to_string(port) + " (media in " + config.media_dir +
             ")");
    MediaCollector collector(context);
    std::thread serving([&server] { server.serve(); });

    int received = 0;
    sigwait(&signals, &received);
    log.info(std::string("stopping (") + (received == SIGINT ? "SIGINT" : "SIGTERM") + ")");
    server.stop();
    serving.join();
    return 0;
  } catch (const std::exception& error) {
    log.error(error.what());
    return 1;
  }
}
