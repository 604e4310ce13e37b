#pragma once
// What the media tests share: chat-admin with small per-kind limits and a
// fast collector, people with sign-in tokens, uploads and downloads, payloads
// of each kind (admin_media_test.cpp and admin_media_throttle_test.cpp).
#include "admin_test_env.hpp"

#include "chat/admin/digest.hpp"
#include "chat/credentials/password.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

namespace chat::admin::testing {

inline std::int64_t id_of(const json& record) { return record["id"].get<std::int64_t>(); }

// Deterministic filler that differs per call, so uploads do not deduplicate by accident.
inline std::string filler(std::size_t size) {
  static std::mt19937 random(12345);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
  return bytes;
}

inline std::string png(std::size_t size) { return std::string("\x89PNG\r\n\x1A\n", 8) + filler(size - 8); }
inline std::string ogg_opus(std::size_t size) {
  std::string head = "OggS" + std::string(24, '\0') + "OpusHead";
  return head + filler(size - head.size());
}
inline std::string pdf(std::size_t size) { return "%PDF-1.7\n" + filler(size - 9); }

inline std::string sha256_hex(const std::string& bytes) { return to_hex(sha256(bytes)); }

// "Basic base64(user:password)", padded as clients send it.
inline std::string basic_auth(const std::string& user_and_password) {
  std::string encoded = credentials::base64_encode_unpadded(
      reinterpret_cast<const unsigned char*>(user_and_password.data()), user_and_password.size());
  while (encoded.size() % 4 != 0) encoded += '=';
  return "Basic " + encoded;
}

class AdminMediaTest : public AdminTest {
 protected:
  static void SetUpTestSuite() {
    start_suite({"--media-max-image-bytes", "64KiB", "--media-max-voice-bytes", "128KiB", "--media-max-file-bytes",
                 "256KiB", "--media-gc-interval-ms", "200", "--media-gc-age-s", "3600"});
  }

  struct Person {
    std::int64_t uid = 0;
    std::string username;
    std::string bearer;  // "Bearer <sign-in token>"
  };
  static Person person(const std::string& prefix, const json& extra = json::object()) {
    const json user = create_user(unique(prefix), extra);
    return {id_of(user), user["username"], "Bearer " + token_for(id_of(user))};
  }

  static Reply upload(const std::string& bytes, const std::string& authorization,
                      const std::string& content_type = "application/octet-stream") {
    return raw("PUT", "/v1/media", bytes, {{"Authorization", authorization}}, content_type);
  }
  static Reply download(const std::string& id, const std::string& authorization, httplib::Headers headers = {}) {
    headers.emplace("Authorization", authorization);
    return raw("GET", "/v1/media/" + id, "", headers);
  }
  static std::filesystem::path blob(const std::string& sha256) {
    return server().media_dir() / "blobs" / sha256.substr(0, 2) / sha256;
  }
  // Sends a request head (no body, whatever it announces) and returns the
  // first bytes of the answer: empty when none came within 5 s.
  static std::string answer_to_head(const std::string& head) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server().port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      return "connect failed";
    }
    (void)!::write(fd, head.data(), head.size());
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char buffer[512];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }
  // A message that shares `media_id`, stored as the bridge stores it.
  static std::int64_t share(std::int64_t chat, std::int64_t from, const std::string& media_id) {
    return send(chat, from, {json{{"media", {{"id", media_id}, {"mime", "image/png"}, {"size", 1}}}}.dump()},
                "image")[0];
  }
};

}  // namespace chat::admin::testing
