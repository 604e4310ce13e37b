#include "chat/admin/request_json.hpp"

namespace chat::admin {

JsonBody JsonBody::parse(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return JsonBody(nlohmann::json::object());
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw bad_request("body", "is not valid JSON");
  if (!json.is_object()) throw bad_request("body", "must be a JSON object");
  return JsonBody(std::move(json));
}

bool JsonBody::has(const std::string& field) const { return json_.contains(field); }

const nlohmann::json* JsonBody::take(const std::string& field) {
  taken_.insert(field);
  const auto it = json_.find(field);
  if (it == json_.end()) return nullptr;
  return &*it;
}

std::optional<std::string> JsonBody::string(const std::string& field) {
  const auto* value = take(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) throw bad_request(field, "must be a string");
  return value->get<std::string>();
}

std::string JsonBody::required_string(const std::string& field) {
  auto value = string(field);
  if (!value) throw bad_request(field, "is required");
  return std::move(*value);
}

std::optional<std::optional<std::string>> JsonBody::nullable_string(const std::string& field) {
  const auto* value = take(field);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::optional<std::string>{};
  if (!value->is_string()) throw bad_request(field, "must be a string or null");
  return std::optional<std::string>{value->get<std::string>()};
}

std::optional<std::int64_t> JsonBody::integer(const std::string& field, std::int64_t min, std::int64_t max) {
  const auto* value = take(field);
  if (value == nullptr) return std::nullopt;
  const std::string range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value->is_number_unsigned()) {
    const auto v = value->get<std::uint64_t>();
    if (max < 0 || v > static_cast<std::uint64_t>(max)) throw bad_request(field, range);
    const auto signed_value = static_cast<std::int64_t>(v);
    if (signed_value < min) throw bad_request(field, range);
    return signed_value;
  }
  if (!value->is_number_integer()) throw bad_request(field, range);
  const auto v = value->get<std::int64_t>();
  if (v < min || v > max) throw bad_request(field, range);
  return v;
}

std::optional<bool> JsonBody::boolean(const std::string& field) {
  const auto* value = take(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) throw bad_request(field, "must be true or false");
  return value->get<bool>();
}

std::optional<std::vector<std::int64_t>> JsonBody::ids(const std::string& field, std::size_t max_count) {
  const auto* value = take(field);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) throw bad_request(field, "must be an array of user ids");
  if (value->size() > max_count) throw bad_request(field, "at most " + std::to_string(max_count) + " ids");
  std::vector<std::int64_t> ids;
  for (const auto& item : *value) {
    if (!item.is_number_integer() || item.get<std::int64_t>() <= 0) {
      throw bad_request(field, "must be an array of positive integer ids");
    }
    ids.push_back(item.get<std::int64_t>());
  }
  return ids;
}

void JsonBody::finish() const {
  for (const auto& [key, value] : json_.items()) {
    if (taken_.count(key) == 0) throw bad_request(key, "unknown field");
  }
}

}  // namespace chat::admin
