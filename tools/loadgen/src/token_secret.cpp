#include "token_secret.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chat::loadgen {

std::string read_token_secret(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the token secret " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace chat::loadgen
