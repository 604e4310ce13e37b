#include "chat/storage/param.hpp"

#include "chat/storage/array_literal.hpp"
#include "chat/storage/errors.hpp"

namespace chat::storage {

Param::Param(std::string_view text) : text_(std::string(text)) {
  if (text.find('\0') != std::string_view::npos) {
    throw DbError(DbErrc::invalid_input, "text parameter contains a NUL byte");
  }
}

Param Param::int64_array(std::span<const std::int64_t> values) {
  return Param(Verbatim{}, int64_array_literal(values));
}

// The elements are checked for NUL like any text: the literal itself would
// otherwise be cut at the first NUL by libpq.
Param Param::text_array(std::span<const std::string> values) { return Param(text_array_literal(values)); }

Param Param::text_array(std::span<const std::string_view> values) { return Param(text_array_literal(values)); }

}  // namespace chat::storage
