#pragma once
// PostgreSQL's binary wire format of one-dimensional arrays without NULLs
// (array_recv): a whole column of values as ONE binary parameter, as the text
// literals of array_literal.hpp but without the server parsing and unquoting
// each element (array_in was ~5 % of the writer session's CPU at 80 messages
// a transaction, docs/bridge.md "PostgreSQL's share per message").
//
// Layout, all integers big-endian: ndim (int32, 0 for an empty array), the
// has-nulls flag (int32, 0), the element type's OID (int32); per dimension
// its length and lower bound (int32, 1); then per element its length (int32)
// and its bytes (int8: 8 bytes; text: the UTF-8 bytes, validated by the
// server as any text). The element type must be the parameter's: an
// int8 array is a `$n::bigint[]`, a text array a `$n::text[]`.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chat::storage {

inline constexpr std::uint32_t kInt8Oid = 20;
inline constexpr std::uint32_t kTextOid = 25;

std::string int8_binary_array(std::span<const std::int64_t> values);
std::string text_binary_array(std::span<const std::string_view> values);
std::string text_binary_array(std::span<const std::string> values);

}  // namespace chat::storage
