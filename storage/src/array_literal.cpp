#include "chat/storage/array_literal.hpp"

namespace chat::storage {
namespace {

// Quoting every element is simpler than deciding when quotes are needed, and
// is always correct: inside double quotes only `"` and `\` are special.
void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

template <class Range, class AppendElement>
std::string array_literal(const Range& values, AppendElement append_element) {
  std::string out = "{";
  bool first = true;
  for (const auto& value : values) {
    if (!first) out += ',';
    first = false;
    append_element(out, value);
  }
  out += '}';
  return out;
}

}  // namespace

std::string int64_array_literal(std::span<const std::int64_t> values) {
  return array_literal(values, [](std::string& out, std::int64_t v) { out += std::to_string(v); });
}

std::string text_array_literal(std::span<const std::optional<std::string_view>> values) {
  return array_literal(values, [](std::string& out, const std::optional<std::string_view>& v) {
    if (v) {
      append_quoted(out, *v);
    } else {
      out += "NULL";  // unquoted NULL is the null element; "NULL" quoted is the text
    }
  });
}

std::string text_array_literal(std::span<const std::string> values) {
  return array_literal(values, [](std::string& out, const std::string& v) { append_quoted(out, v); });
}

std::string text_array_literal(std::span<const std::string_view> values) {
  return array_literal(values, [](std::string& out, std::string_view v) { append_quoted(out, v); });
}

}  // namespace chat::storage
