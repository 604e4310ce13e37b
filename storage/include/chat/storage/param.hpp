#pragma once
// One statement parameter, sent in PostgreSQL's text format (arrays: in its
// binary format, binary_array.hpp). Values travel separately from the SQL
// text, so no value is ever parsed as SQL.
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace chat::storage {

class Param {
 public:
  // SQL NULL.
  Param(std::nullopt_t) noexcept {}  // NOLINT(google-explicit-constructor): reads as a value

  // Signed integers of any width; no char and no bool (see below).
  template <std::signed_integral T>
  requires(!std::same_as<T, char>) Param(T value)
      : text_(std::to_string(value)) {}  // NOLINT(google-explicit-constructor)

  // Only a real bool: a pointer or an integer must not silently become true/false.
  template <std::same_as<bool> B>
  Param(B value) : text_(value ? "true" : "false") {}  // NOLINT(google-explicit-constructor)

  // Text. PostgreSQL text cannot hold NUL; a NUL byte throws DbError{invalid_input}
  // rather than being silently truncated by the C API.
  Param(std::string_view text);                                      // NOLINT(google-explicit-constructor)
  Param(const char* text) : Param(std::string_view(text)) {}         // NOLINT
  Param(const std::string& text) : Param(std::string_view(text)) {}  // NOLINT

  // std::nullopt as NULL, otherwise the value.
  template <class T>
  Param(const std::optional<T>& value)  // NOLINT(google-explicit-constructor)
      : Param(value ? Param(*value) : Param(std::nullopt)) {}

  // Whole arrays as one parameter, for `unnest($1::bigint[], $2::text[])`
  // batches, in the binary format: the parameter's type must be bigint[] or
  // text[] (a cast in the SQL says so). Text elements are checked for NUL as
  // any text parameter.
  static Param int64_array(std::span<const std::int64_t> values);
  static Param text_array(std::span<const std::string> values);
  static Param text_array(std::span<const std::string_view> values);

  bool is_null() const noexcept { return !text_.has_value(); }
  // The value for libpq (NUL-terminated text, or binary bytes: see length()
  // and format()), or nullptr for NULL.
  const char* c_str() const noexcept { return text_ ? text_->c_str() : nullptr; }
  // The byte length of a binary value (libpq ignores it for text).
  int length() const noexcept { return text_ ? static_cast<int>(text_->size()) : 0; }
  // libpq's paramFormats: 0 text, 1 binary.
  int format() const noexcept { return binary_ ? 1 : 0; }

 private:
  struct Binary {};
  Param(Binary, std::string bytes) : text_(std::move(bytes)), binary_(true) {}

  std::optional<std::string> text_;
  bool binary_ = false;
};

}  // namespace chat::storage
