// chat-credentials: password hashes and sign-in tokens from the command line,
// with the same library the broker plugin verifies them with. Used by
// scripts/stack (the service account's hash), the tests and the benchmarks.
//
//   chat-credentials hash-password [--iterations N]      password on stdin -> PHC string
//   chat-credentials verify-password --hash PHC           password on stdin -> exit 0 if it matches
//   chat-credentials mint-token --secret-file F --uid N --username U [--ttl S] [--count K]
//                                                        -> a token per line (K tokens for uids N..N+K-1
//                                                           with usernames U<uid>, for load tests)
//   chat-credentials verify-token --secret-file F         token on stdin -> claims, exit 0 if valid
#include "chat/credentials/password.hpp"
#include "chat/credentials/secret_file.hpp"
#include "chat/credentials/token.hpp"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using chat::credentials::TokenError;

constexpr int kExitUsage = 2;

int usage() {
  std::cerr << "usage:\n"
               "  chat-credentials hash-password [--iterations N]   (password on stdin)\n"
               "  chat-credentials verify-password --hash PHC        (password on stdin)\n"
               "  chat-credentials mint-token --secret-file F --uid N --username U [--ttl SECONDS] [--count K]\n"
               "  chat-credentials verify-token --secret-file F      (token on stdin)\n";
  return kExitUsage;
}

std::optional<std::map<std::string, std::string>> parse_flags(const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (!args[i].starts_with("--") || i + 1 >= args.size()) return std::nullopt;
    flags[args[i].substr(2)] = args[i + 1];
  }
  return flags;
}

std::optional<std::int64_t> parse_int(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string read_stdin_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> secret_from(const std::map<std::string, std::string>& flags) {
  const auto it = flags.find("secret-file");
  if (it == flags.end()) {
    std::cerr << "chat-credentials: --secret-file is required\n";
    return std::nullopt;
  }
  std::string error;
  auto secret = chat::credentials::read_secret_file(it->second, error);
  if (!secret) std::cerr << "chat-credentials: " << error << "\n";
  return secret;
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int run(const std::string& command, const std::map<std::string, std::string>& flags) {
  if (command == "hash-password") {
    int iterations = chat::credentials::kDefaultPbkdf2Iterations;
    if (const auto it = flags.find("iterations"); it != flags.end()) {
      const auto value = parse_int(it->second);
      if (!value || *value < chat::credentials::kMinPbkdf2Iterations ||
          *value > chat::credentials::kMaxPbkdf2Iterations) {
        std::cerr << "chat-credentials: --iterations must be between " << chat::credentials::kMinPbkdf2Iterations
                  << " and " << chat::credentials::kMaxPbkdf2Iterations << "\n";
        return kExitUsage;
      }
      iterations = static_cast<int>(*value);
    }
    const std::string password = read_stdin_line();
    if (password.empty()) {
      std::cerr << "chat-credentials: empty password\n";
      return 1;
    }
    if (chat::credentials::looks_like_token(password)) {
      std::cerr << "chat-credentials: a password may not have the shape of a token (eyJ....)\n";
      return 1;
    }
    std::cout << chat::credentials::hash_password(password, iterations) << "\n";
    return 0;
  }
  if (command == "verify-password") {
    const auto it = flags.find("hash");
    if (it == flags.end()) return usage();
    return chat::credentials::verify_password(read_stdin_line(), it->second) ? 0 : 1;
  }
  if (command == "mint-token") {
    const auto secret = secret_from(flags);
    if (!secret) return 1;
    const auto uid_it = flags.find("uid");
    const auto user_it = flags.find("username");
    if (uid_it == flags.end() || user_it == flags.end()) return usage();
    const auto uid = parse_int(uid_it->second);
    std::int64_t ttl = 86400;
    std::int64_t count = 1;
    if (const auto it = flags.find("ttl"); it != flags.end()) {
      const auto value = parse_int(it->second);
      if (!value) return usage();
      ttl = *value;
    }
    if (const auto it = flags.find("count"); it != flags.end()) {
      const auto value = parse_int(it->second);
      if (!value || *value < 1) return usage();
      count = *value;
    }
    if (!uid || *uid <= 0) return usage();
    const std::int64_t now = now_s();
    if (count == 1) {
      std::cout << chat::credentials::mint_token(*secret, *uid, user_it->second, now, now + ttl) << "\n";
      return 0;
    }
    std::string out;
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t id = *uid + i;
      out += chat::credentials::mint_token(*secret, id, user_it->second + std::to_string(id), now, now + ttl);
      out += '\n';
    }
    std::cout << out;
    return 0;
  }
  if (command == "verify-token") {
    const auto secret = secret_from(flags);
    if (!secret) return 1;
    const auto check = chat::credentials::verify_token(read_stdin_line(), *secret, now_s());
    if (!check.ok()) {
      std::cerr << "chat-credentials: " << chat::credentials::to_string(check.error) << "\n";
      return 1;
    }
    std::cout << "uid " << check.claims->uid << "\nusername " << check.claims->username << "\nexpires "
              << check.claims->expires_at << "\n";
    return 0;
  }
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage();
    const std::vector<std::string> args(argv + 2, argv + argc);
    const auto flags = parse_flags(args);
    if (!flags) return usage();
    return run(argv[1], *flags);
  } catch (const std::exception& error) {
    std::cerr << "chat-credentials: " << error.what() << "\n";
    return 1;
  }
}
