#include "chat/credentials/secret_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace chat::credentials {

std::optional<std::string> read_secret_file(const std::filesystem::path& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  constexpr std::size_t kLimit = 64 * 1024;
  std::string content;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > kLimit) {
      error = path.string() + " is larger than 64 KiB";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    error = "cannot read " + path.string();
    return std::nullopt;
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) {
    error = path.string() + " is empty";
    return std::nullopt;
  }
  return content;
}

}  // namespace chat::credentials
