#pragma once
// The token secret file of the platform modes (--token-secret-file).
#include <string>

namespace chat::loadgen {

// The file's text without trailing line breaks; throws std::runtime_error when unreadable.
std::string read_token_secret(const std::string& path);

}  // namespace chat::loadgen
