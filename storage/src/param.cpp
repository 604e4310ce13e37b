#include "chat/storage/param.hpp"

#include "chat/storage/binary_array.hpp"
#include "chat/storage/errors.hpp"

namespace chat::storage {

Param::Param(std::string_view text) : text_(std::string(text)) {
  if (text.find('\0') != std::string_view::npos) {
    throw DbError(DbErrc::invalid_input, "text parameter contains a NUL byte");
  }
}

namespace {

// PostgreSQL text cannot hold NUL: refused here as a text parameter is.
template <class Texts>
void check_no_nul(const Texts& values) {
  for (const auto& v : values) {
    if (std::string_view(v).find('\0') != std::string_view::npos) {
      throw DbError(DbErrc::invalid_input, "text array parameter contains a NUL byte");
    }
  }
}

}  // namespace

Param Param::int64_array(std::span<const std::int64_t> values) { return Param(Binary{}, int8_binary_array(values)); }

Param Param::text_array(std::span<const std::string> values) {
  check_no_nul(values);
  return Param(Binary{}, text_binary_array(values));
}

Param Param::text_array(std::span<const std::string_view> values) {
  check_no_nul(values);
  return Param(Binary{}, text_binary_array(values));
}

}  // namespace chat::storage
