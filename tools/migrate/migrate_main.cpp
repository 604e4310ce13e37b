// chat-migrate: brings a database to the schema this build embeds, or with
// --status reports where it stands. Safe to run from several processes at
// once and on every start (it only checks an up-to-date database).
#include "chat/storage/connection.hpp"
#include "chat/storage/migrations.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage =
    "usage: chat-migrate [--status] [CONNINFO]\n"
    "\n"
    "Applies the database migrations built into this binary and prints the\n"
    "schema version; with --status only prints the version.\n"
    "CONNINFO is a libpq connection string or URI; default: $CHAT_DATABASE_URL.\n"
    "\n"
    "exit status: 0 done, 1 failed (unreachable, or a database this build\n"
    "must not touch), 2 usage\n";

struct Options {
  bool help = false;
  bool status_only = false;
  std::string conninfo;
};

// nullopt: the command line is wrong.
std::optional<Options> parse(int argc, char** argv) {
  Options options;
  std::optional<std::string> conninfo;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else if (arg == "--status") {
      options.status_only = true;
    } else if (arg.starts_with("-") || conninfo) {
      return std::nullopt;
    } else {
      conninfo = std::string(arg);
    }
  }
  if (!conninfo && !options.help) {
    const char* env = std::getenv("CHAT_DATABASE_URL");
    if (env == nullptr || *env == '\0') return std::nullopt;
    conninfo = env;
  }
  options.conninfo = conninfo.value_or("");
  return options;
}

std::string label_of(int version) {
  for (const auto& migration : chat::storage::embedded_migrations()) {
    if (migration.version == version) return chat::storage::migration_label(migration);
  }
  return std::to_string(version);
}

int run(const Options& options) {
  chat::storage::Connection connection(options.conninfo);
  if (options.status_only) {
    const auto status = chat::storage::schema_status(connection);
    std::cout << "schema version " << status.current_version << " (latest " << status.latest_version << ", ";
    if (status.up_to_date()) {
      std::cout << "up to date)\n";
    } else {
      std::cout << status.latest_version - status.current_version << " pending)\n";
    }
    return kExitOk;
  }
  const auto report = chat::storage::apply_migrations(connection);
  for (const int version : report.applied) {
    std::cout << "applied migration " << label_of(version) << "\n";
  }
  std::cout << "schema version " << report.to_version << "\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  if (options->help) {
    std::cout << kUsage;
    return kExitOk;
  }
  try {
    return run(*options);
  } catch (const std::exception& error) {
    // Messages never contain the conninfo (it may hold a password).
    std::cerr << "chat-migrate: " << error.what() << "\n";
    return kExitFailed;
  }
}
