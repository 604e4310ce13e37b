#include "chat/testing/mosquitto_broker.hpp"

#include <cstdlib>
#include <pwd.h>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

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

}  // namespace

std::filesystem::path source_dir() {
  if (const char* env = std::getenv("CHAT_SOURCE_DIR"); env != nullptr && *env != '\0') return env;
  return CHAT_SOURCE_DIR_DEFAULT;
}

MosquittoBroker::MosquittoBroker(MosquittoOptions options)
    : options_(std::move(options)), dir_("chat-mosquitto"), port_(free_loopback_port()) {
  std::string config;
  if (options_.use_project_config) {
    config = read_file(source_dir() / "broker-config" / "mosquitto.conf");
    replace_all(config, "@BIND_ADDRESS@", "127.0.0.1");
    replace_all(config, "@MQTT_PORT@", std::to_string(port_));
    replace_all(config, "@DATA_DIR@", dir_.path().string());
    // The broker runs as whoever runs the tests: its directory is already ours.
    replace_all(config, "@RUN_AS_USER@", current_user_name());
  } else {
    config = "listener " + std::to_string(port_) + " 127.0.0.1\n" +
             "allow_anonymous true\n" +
             "user " + current_user_name() + "\n" +
             "log_dest file " + (dir_.path() / "mosquitto.log").string() + "\n";
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
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"mosquitto", "-c", config_path().string()},
      (dir_.path() / "mosquitto.stdout").string());
  const bool up = wait_until([this] { return port_accepts(port_) || !process_->running(); },
                             std::chrono::seconds(10));
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
