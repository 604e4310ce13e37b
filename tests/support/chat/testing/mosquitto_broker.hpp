#pragma once
// A real mosquitto on a free loopback port, configured from the project's
// broker-config/mosquitto.conf (the same file the stack runs), in a temporary
// directory that disappears with the fixture.
//
// The project config has the auth plugin and a TLS listener. Without
// MosquittoOptions::auth_plugin the fixture leaves the plugin lines out and
// takes anonymous clients (tests of the broker's own settings, the bridge's
// tests); with it the plugin is loaded from the build with the given
// database and secrets. The TLS listener always runs, on its own free port,
// with a self-signed certificate for 127.0.0.1/localhost made for the broker.
//
// When the build is sanitized, the plugin needs the sanitizer runtimes in
// the (uninstrumented) mosquitto process: CHAT_BROKER_PRELOAD (or the
// build's default) is preloaded into the broker, with leak detection off.
#include "chat/testing/environment.hpp"
#include "chat/testing/process.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace chat::testing {

// What the fixture renders into the template's @AUTH_*@ placeholders.
struct AuthPluginSettings {
  std::string db_conninfo;  // written to a file, passed as plugin_opt_db_conninfo_file
  std::string jwt_secret;   // written to a file, passed as plugin_opt_jwt_secret_file
  std::string service_username = "svc-bridge";
  std::string service_password_hash;  // $pbkdf2-sha512$... (chat-credentials hash-password)
  // Further plugin_opt_<key> <value> lines; they replace the template's line of that key.
  std::map<std::string, std::string> options;
  // Empty: the plugin of this build (CHAT_AUTH_PLUGIN, or the compile-time default).
  std::filesystem::path plugin_path;
};

struct MosquittoOptions {
  // Settings that replace the template's line of the same name, or are appended
  // (for example {"max_queued_messages", "10"}).
  std::map<std::string, std::string> overrides;
  // Lines appended after the template (plugin lines, extra listeners).
  std::string extra_config;
  // When false, a plain broker with no template: only a listener, for a baseline.
  bool use_project_config = true;
  // Project config only: sign-in and ACL by the auth plugin. Without it the
  // broker takes anonymous clients.
  std::optional<AuthPluginSettings> auth_plugin;
};

class MosquittoBroker {
 public:
  explicit MosquittoBroker(MosquittoOptions options = {});
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  // The TLS listener's self-signed certificate: the CA file a client trusts.
  std::filesystem::path tls_ca_file() const { return dir_.path() / "tls" / "cert.pem"; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir_.path() / "mosquitto.conf"; }
  std::string log() const;
  pid_t pid() const { return process_ ? process_->pid() : -1; }  // mosquitto's (the preload wrapper execs it)

  void stop();       // SIGTERM: the broker saves its persistence file
  void kill_hard();  // SIGKILL: as a crash would
  void start();      // start again on the same port and directory

 private:
  MosquittoOptions options_;
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// The repository's root, found from CHAT_SOURCE_DIR (set by CTest) or the build's compile definition.
std::filesystem::path source_dir();

// The auth plugin of this build: CHAT_AUTH_PLUGIN, or the compile-time default.
std::filesystem::path auth_plugin_path();

}  // namespace chat::testing
