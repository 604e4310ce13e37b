// The media server's Range header parser (chat/admin/range.hpp): reached by
// anyone who may fetch a media blob.
//
// Input: first line the blob's size in decimal, the rest the Range header.
#include "chat/admin/range.hpp"
#include "fuzz_input.hpp"

#include <charconv>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [head, header] = chat::fuzz::split_first_line(data, size);
  std::uint64_t blob_size = 0;
  std::from_chars(head.data(), head.data() + head.size(), blob_size);

  const auto request = chat::admin::parse_range(header, blob_size);
  using Kind = chat::admin::RangeRequest::Kind;
  if (request.kind == Kind::partial) {
    // What is served lies inside the blob.
    chat::fuzz::require(request.range.first <= request.range.last && request.range.last < blob_size);
    chat::fuzz::require(request.range.length() <= blob_size);
    chat::admin::content_range(request.range, blob_size);
  }
  if (request.kind == Kind::unsatisfiable) chat::admin::unsatisfied_content_range(blob_size);
  return 0;
}
