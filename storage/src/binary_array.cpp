#include "chat/storage/binary_array.hpp"

#include <limits>
#include <stdexcept>

namespace chat::storage {
namespace {

void put_uint32(std::string& out, std::uint32_t v) {
  out += static_cast<char>((v >> 24) & 0xFF);
  out += static_cast<char>((v >> 16) & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}

void put_uint64(std::string& out, std::uint64_t v) {
  put_uint32(out, static_cast<std::uint32_t>(v >> 32));
  put_uint32(out, static_cast<std::uint32_t>(v & 0xFFFFFFFFU));
}

std::uint32_t length_of(std::size_t size) {
  if (size > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw std::length_error("array parameter too large for PostgreSQL's binary format");
  }
  return static_cast<std::uint32_t>(size);
}

std::string header(std::uint32_t element_oid, std::size_t count, std::size_t payload) {
  std::string out;
  out.reserve(20 + payload);
  put_uint32(out, count == 0 ? 0 : 1);  // ndim: an empty array has none
  put_uint32(out, 0);                   // no NULL elements
  put_uint32(out, element_oid);
  if (count > 0) {
    put_uint32(out, length_of(count));
    put_uint32(out, 1);  // lower bound
  }
  return out;
}

template <class Texts>
std::string texts(const Texts& values) {
  std::size_t payload = 0;
  for (const auto& v : values) payload += 4 + v.size();
  std::string out = header(kTextOid, values.size(), payload);
  for (const auto& v : values) {
    put_uint32(out, length_of(v.size()));
    out.append(v.data(), v.size());
  }
  return out;
}

}  // namespace

std::string int8_binary_array(std::span<const std::int64_t> values) {
  std::string out = header(kInt8Oid, values.size(), values.size() * 12);
  for (const std::int64_t v : values) {
    put_uint32(out, 8);
    put_uint64(out, static_cast<std::uint64_t>(v));
  }
  return out;
}

std::string text_binary_array(std::span<const std::string_view> values) { return texts(values); }
std::string text_binary_array(std::span<const std::string> values) { return texts(values); }

}  // namespace chat::storage
