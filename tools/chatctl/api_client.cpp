#include "api_client.hpp"

#include <chrono>
#include <string_view>

namespace chat::chatctl {

std::string encode_segment(const std::string& text) {
  std::string out;
  for (const char raw : text) {
    const auto c = static_cast<unsigned char>(raw);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string query(const std::vector<std::pair<std::string, std::optional<std::string>>>& params) {
  std::string text;
  for (const auto& [key, value] : params) {
    if (!value) continue;
    text += text.empty() ? '?' : '&';
    text += key + "=" + encode_segment(*value);
  }
  return text;
}

Api::Api(const Global& global) : global_(global), client_(global.url) {
  client_.set_connection_timeout(std::chrono::seconds(5));
  client_.set_read_timeout(std::chrono::seconds(30));
  client_.set_write_timeout(std::chrono::seconds(30));
}

json Api::call(const std::string& method, const std::string& path, const std::optional<json>& body) {
  httplib::Headers headers;
  if (!global_.token.empty()) headers.emplace("Authorization", "Bearer " + global_.token);
  const std::string text = body ? body->dump() : std::string();
  httplib::Result result = [&] {
    if (method == "GET") return client_.Get(path, headers);
    if (method == "POST") return client_.Post(path, headers, text, "application/json");
    if (method == "PUT") return client_.Put(path, headers, text, "application/json");
    if (method == "PATCH") return client_.Patch(path, headers, text, "application/json");
    return client_.Delete(path, headers);
  }();
  if (!result) {
    throw ApiFailure("cannot reach " + global_.url + ": " + httplib::to_string(result.error()));
  }
  const auto& response = *result;
  json answer = response.body.empty() ? json(nullptr) : json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status >= 400) {
    if (answer.is_object() && answer.contains("error") && answer["error"].is_object()) {
      const json& error = answer["error"];
      throw ApiFailure(error.value("code", std::string("error")) + " (HTTP " + std::to_string(response.status) +
                       "): " + error.value("message", std::string()));
    }
    throw ApiFailure("HTTP " + std::to_string(response.status));
  }
  return answer;
}

}  // namespace chat::chatctl
