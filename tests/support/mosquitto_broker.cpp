#include "chat/testing/mosquitto_broker.hpp"

#include <cstdlib>
#include <pwd.h>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace chat::testing {
namespace {

std::string current_user_name() {
  const passwd* pw = getpwuid(geteuid());
  if (pw == nullptr) throw std::runtime_error("cannot resolve the current user's name");
  return pw->pw_name;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

std::string first_token(const std::string& line) {
  const auto begin = line.find_first_not_of(" \t");
  if (begin == std::string::npos || line[begin] == '#') return {};
  const auto end = line.find_first_of(" \t", begin);
  return line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// Replaces each overridden setting in place (so its position relative to the
// listener it belongs to stays the same) and appends the ones the template lacks.
std::string apply_overrides(const std::string& config, const std::map<std::string, std::string>& overrides) {
  std::istringstream in(config);
  std::ostringstream out;
  std::set<std::string> applied;
  for (std::string line; std::getline(in, line);) {
    const auto key = first_token(line);
    const auto it = overrides.find(key);
    if (!key.empty() && it != overrides.end()) {
      out << key << ' ' << it->second << '\n';
      applied.insert(key);
    } else {
      out << line << '\n';
    }
  }
  for (const auto& [key, value] : overrides) {
    if (applied.count(key) == 0) out << key << ' ' << value << '\n';
  }
  return out.str();
}

// The first @NAME@ left on a setting line (comments may mention placeholders).
std::optional<std::string> unrendered_placeholder(const std::string& config) {
  static const std::regex placeholder("@[A-Z_]+@");
  std::istringstream in(config);
  for (std::string line; std::getline(in, line);) {
    if (first_token(line).empty()) continue;
    std::smatch match;
    if (std::regex_search(line, match, placeholder)) return match.str();
  }
  return std::nullopt;
}

// Without the auth plugin: no plugin lines, anonymous clients.
std::string without_plugin(const std::string& config) {
  std::istringstream in(config);
  std::ostringstream out;
  for (std::string line; std::getline(in, line);) {
    const auto key = first_token(line);
    if (key == "plugin" || key.rfind("plugin_opt_", 0) == 0) continue;
    out << line << '\n';
  }
  return out.str();
}

// A self-signed certificate for the loopback names, made once per broker
// (an EC key: a few milliseconds).
void make_loopback_certificate(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  run_checked({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
               "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
               "-keyout", (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()});
}

std::vector<std::string> broker_command(const std::filesystem::path& config, bool with_plugin) {
  std::vector<std::string> argv;
  const char* env = std::getenv("CHAT_BROKER_PRELOAD");
  std::string preload = env != nullptr ? env : CHAT_BROKER_PRELOAD_DEFAULT;
  if (with_plugin && !preload.empty()) {
    // A sanitized plugin in an unsanitized broker: the runtimes must be loaded
    // first. Leaks at exit are mosquitto's own allocations, not the plugin's.
    argv = {"env", "LD_PRELOAD=" + preload, "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1",
            "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"};
  }
  argv.insert(argv.end(), {"mosquitto", "-c", config.string()});
  return argv;
}

}  // namespace

std::filesystem::path auth_plugin_path() {
  if (const char* env = std::getenv("CHAT_AUTH_PLUGIN"); env != nullptr && *env != '\0') return env;
  return CHAT_AUTH_PLUGIN_DEFAULT;
}

std::filesystem::path source_dir() {
  if (const char* env = std::getenv("CHAT_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return CHAT_SOURCE_DIR_DEFAULT;
}

MosquittoBroker::MosquittoBroker(MosquittoOptions options)
    : options_(std::move(options)), dir_("chat-mosquitto"), port_(free_loopback_port()) {
  std::string config;
  if (options_.use_project_config) {
    tls_port_ = free_loopback_port();
    while (tls_port_ == port_) tls_port_ = free_loopback_port();
    config = read_file(source_dir() / "broker-config" / "mosquitto.conf");
    replace_all(config, "@BIND_ADDRESS@", "127.0.0.1");
    replace_all(config, "@MQTT_PORT@", std::to_string(port_));
    replace_all(config, "@DATA_DIR@", dir_.path().string());
    // The broker runs as whoever runs the tests: its directory is already ours.
    replace_all(config, "@RUN_AS_USER@", current_user_name());
    make_loopback_certificate(dir_.path() / "tls");
    replace_all(config, "@TLS_PORT@", std::to_string(tls_port_));
    replace_all(config, "@TLS_CERT@", (dir_.path() / "tls" / "cert.pem").string());
    replace_all(config, "@TLS_KEY@", (dir_.path() / "tls" / "key.pem").string());
    if (options_.auth_plugin) {
      const AuthPluginSettings& auth = *options_.auth_plugin;
      const auto secrets = dir_.path() / "secrets";
      std::filesystem::create_directories(secrets);
      write_file(secrets / "db_conninfo", auth.db_conninfo + "\n");
      write_file(secrets / "jwt_secret", auth.jwt_secret + "\n");
      replace_all(config, "@AUTH_PLUGIN@", (auth.plugin_path.empty() ? auth_plugin_path() : auth.plugin_path).string());
      replace_all(config, "@AUTH_DB_CONNINFO_FILE@", (secrets / "db_conninfo").string());
      replace_all(config, "@AUTH_JWT_SECRET_FILE@", (secrets / "jwt_secret").string());
      replace_all(config, "@AUTH_SERVICE_USERNAME@", auth.service_username);
      replace_all(config, "@AUTH_SERVICE_PASSWORD_HASH@", auth.service_password_hash);
      std::map<std::string, std::string> plugin_options;
      for (const auto& [key, value] : auth.options) plugin_options["plugin_opt_" + key] = value;
      config = apply_overrides(config, plugin_options);
    } else {
      config = without_plugin(config);
      options_.overrides.emplace("allow_anonymous", "true");
    }
  } else {
    config = "listener " + std::to_string(port_) + " 127.0.0.1\n" + "allow_anonymous true\n" + "user " +
             current_user_name() + "\n" + "log_dest file " + (dir_.path() / "mosquitto.log").string() + "\n";
  }
  config = apply_overrides(config, options_.overrides);
  config += options_.extra_config;
  if (const auto placeholder = unrendered_placeholder(config)) {
    throw std::runtime_error("broker config has a placeholder the fixture does not fill: " + *placeholder);
  }
  write_file(config_path(), config);
  start();
}

MosquittoBroker::~MosquittoBroker() = default;

void MosquittoBroker::start() {
  process_ = std::make_unique<ChildProcess>(broker_command(config_path(), options_.auth_plugin.has_value()),
                                            (dir_.path() / "mosquitto.stdout").string());
  const bool up = wait_until([this] { return port_accepts(port_) || !process_->running(); }, std::chrono::seconds(10));
  if (!up || !process_->running()) {
    throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ":\n" + log());
  }
}

void MosquittoBroker::stop() {
  if (process_) process_->stop();
}

void MosquittoBroker::kill_hard() {
  if (process_) process_->kill_hard();
}

std::string MosquittoBroker::log() const {
  std::string text;
  for (const char* name : {"mosquitto.stdout", "mosquitto.log"}) {
    const auto path = dir_.path() / name;
    if (std::filesystem::exists(path)) text += read_file(path);
  }
  return text;
}

}  // namespace chat::testing
