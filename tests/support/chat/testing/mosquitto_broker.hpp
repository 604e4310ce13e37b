#pragma once
// A real mosquitto on a free loopback port, configured from the project's
// broker-config/mosquitto.conf (the same file the stack runs), in a temporary
// directory that disappears with the fixture.
#include "chat/testing/environment.hpp"
#include "chat/testing/process.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace chat::testing {

struct MosquittoOptions {
  // Settings that replace the template's line of the same name, or are appended
  // (for example {"max_queued_messages", "10"}).
  std::map<std::string, std::string> overrides;
  // Lines appended after the template (plugin lines, extra listeners).
  std::string extra_config;
  // When false, a plain broker with no template: only a listener, for a baseline.
  bool use_project_config = true;
};

class MosquittoBroker {
 public:
  explicit MosquittoBroker(MosquittoOptions options = {});
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  std::uint16_t port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir_.path() / "mosquitto.conf"; }
  std::string log() const;

  void stop();              // SIGTERM: the broker saves its persistence file
  void kill_hard();         // SIGKILL: as a crash would
  void start();             // start again on the same port and directory

 private:
  MosquittoOptions options_;
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// The repository's root, found from CHAT_SOURCE_DIR (set by CTest) or the build's compile definition.
std::filesystem::path source_dir();

}  // namespace chat::testing
