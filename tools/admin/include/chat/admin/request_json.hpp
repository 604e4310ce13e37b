#pragma once
// A JSON request body read strictly: it must be an object, each field is
// taken with its expected type, and a field nobody took is an error naming it
// (a misspelt "dispaly_name" is a 400, not silently ignored).
#include "chat/admin/api_error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chat::admin {

class JsonBody {
 public:
  // An empty body reads as {}. Throws bad_request (field "body") when it is
  // not a JSON object.
  static JsonBody parse(std::string_view body);

  bool has(const std::string& field) const;
  // nullopt when absent; bad_request naming the field for another type.
  std::optional<std::string> string(const std::string& field);
  std::string required_string(const std::string& field);
  // Absent: nullopt; null: an empty inner optional; a string: the value.
  std::optional<std::optional<std::string>> nullable_string(const std::string& field);
  std::optional<std::int64_t> integer(const std::string& field, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(const std::string& field);
  // An array of positive ids (at most max_count).
  std::optional<std::vector<std::int64_t>> ids(const std::string& field, std::size_t max_count);

  // Throws bad_request naming the first field that was not taken.
  void finish() const;

 private:
  explicit JsonBody(nlohmann::json json) : json_(std::move(json)) {}
  const nlohmann::json* take(const std::string& field);

  nlohmann::json json_;
  std::set<std::string> taken_;
};

}  // namespace chat::admin
