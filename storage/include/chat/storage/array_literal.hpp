#pragma once
// PostgreSQL array literals ('{"a","b"}') for passing a whole column of values
// as ONE text-format parameter, e.g. `SELECT * FROM unnest($1::bigint[], $2::text[])`:
// a batch is one statement instead of one round trip per row.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chat::storage {

// {1,-2,3}
std::string int64_array_literal(std::span<const std::int64_t> values);

// Every element is double-quoted with `\` and `"` backslash-escaped, so any
// text (commas, braces, quotes, whitespace, the word NULL, the empty string,
// UTF-8) round-trips exactly; std::nullopt becomes an SQL NULL element.
std::string text_array_literal(std::span<const std::optional<std::string_view>> values);
std::string text_array_literal(std::span<const std::string> values);
std::string text_array_literal(std::span<const std::string_view> values);

}  // namespace chat::storage
