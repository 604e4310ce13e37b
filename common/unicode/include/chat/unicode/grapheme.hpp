#pragma once
// Grapheme clusters (Unicode UAX #29, extended), as a user sees characters:
// 👍, 👍🏽, 👨‍👩‍👧 and 🇫🇷 are one each, "ab" is two.
#include <string_view>

namespace chat::unicode {

// True when `utf8` (valid UTF-8, the caller checks) is exactly one extended
// grapheme cluster. Linear in the text, allocates nothing once warm (one ICU
// break iterator per thread), never throws; false when ICU cannot tell.
bool is_one_grapheme(std::string_view utf8) noexcept;

}  // namespace chat::unicode
