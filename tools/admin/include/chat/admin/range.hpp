#pragma once
// HTTP Range requests (RFC 9110 section 14) on a blob of known size, for
// voice notes that players fetch in parts. One range per request is served;
// what the RFC lets a server ignore (several ranges, other units, a malformed
// header) is ignored and the whole blob is sent.
#include <cstdint>
#include <string>
#include <string_view>

namespace chat::admin {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

struct RangeRequest {
  enum class Kind {
    whole,          // no (usable) Range: 200 with everything
    partial,        // 206 with `range`
    unsatisfiable,  // 416: the range starts past the end (or the blob is empty)
  };
  Kind kind = Kind::whole;
  ByteRange range;
};

// `header` is the Range field's value ("" when absent); `size` the blob's.
RangeRequest parse_range(std::string_view header, std::uint64_t size);

// "bytes 0-99/1234" for a partial answer; "bytes */1234" for a 416.
std::string content_range(const ByteRange& range, std::uint64_t size);
std::string unsatisfied_content_range(std::uint64_t size);

}  // namespace chat::admin
