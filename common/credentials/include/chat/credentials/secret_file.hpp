#pragma once
// Secrets kept in files (the token secret, a database conninfo): the whole
// file, minus trailing line breaks, so `openssl rand -hex 32 > file` works.
#include <filesystem>
#include <optional>
#include <string>

namespace chat::credentials {

// The file's content without trailing "\n"/"\r\n"; nullopt with `error` set
// when it cannot be read or is empty. Files larger than 64 KiB are refused.
std::optional<std::string> read_secret_file(const std::filesystem::path& path, std::string& error);

}  // namespace chat::credentials
