#pragma once
// Small helpers every integration fixture needs: free loopback ports,
// temporary directories that clean up after themselves, file I/O, waiting.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace chat::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read, closed).
std::uint16_t free_loopback_port();

// Polls `ready` until it returns true or `timeout` passes. Returns the last answer.
bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(20));

// True when something accepts TCP connections on 127.0.0.1:port.
bool port_accepts(std::uint16_t port);

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction
// unless CHAT_KEEP_TEST_DIRS is set (for post-mortems).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "chat-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Gives the directory to `user` (chown -R) so a server running as that user may write in it.
  void give_to(const std::string& user) const;

 private:
  std::filesystem::path path_;
};

}  // namespace chat::testing
