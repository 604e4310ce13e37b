#pragma once
// chatctl's HTTP client of chat-admin's API: the admin token as a bearer,
// JSON in and out, an API error turned into ApiFailure (exit status 1).
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace chat::chatctl {

using json = nlohmann::json;

// The server refused or could not be reached: exit status 1.
class ApiFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where to and as whom, from the global options and the environment.
struct Global {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  bool json_output = false;
};

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string encode_segment(const std::string& text);

// "?key=value&..." of the params that have a value (encoded); "" when none has.
std::string query(const std::vector<std::pair<std::string, std::optional<std::string>>>& params);

class Api {
 public:
  explicit Api(const Global& global);

  json get(const std::string& path) { return call("GET", path, std::nullopt); }
  json post(const std::string& path, const json& body) { return call("POST", path, body); }
  json put(const std::string& path, const json& body) { return call("PUT", path, body); }
  json patch(const std::string& path, const json& body) { return call("PATCH", path, body); }
  json del(const std::string& path) { return call("DELETE", path, std::nullopt); }

 private:
  json call(const std::string& method, const std::string& path, const std::optional<json>& body);

  const Global& global_;
  httplib::Client client_;
};

}  // namespace chat::chatctl
