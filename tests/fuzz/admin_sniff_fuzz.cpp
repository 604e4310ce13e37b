// Media type sniffing of uploads (chat/admin/sniff.hpp): reads the first
// bytes of whatever a client uploads.
//
// Input: the upload's first bytes.
#include "chat/admin/sniff.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto sniffed = chat::admin::sniff(std::span<const unsigned char>(data, size));
  chat::fuzz::require(!sniffed.mime.empty());
  // Nothing sniffed is ever served as markup or script.
  chat::fuzz::require(sniffed.mime.find("html") == std::string_view::npos &&
                      sniffed.mime.find("script") == std::string_view::npos &&
                      sniffed.mime.find("svg") == std::string_view::npos);
  chat::fuzz::require(chat::admin::parse_media_kind(chat::admin::to_string(sniffed.kind)) == sniffed.kind);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  chat::admin::parse_media_kind(text);
  return 0;
}
