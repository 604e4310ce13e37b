#include "chat/admin/sniff.hpp"

#include <algorithm>
#include <array>

namespace chat::admin {
namespace {

bool starts_with(std::span<const unsigned char> head, std::size_t offset, std::string_view magic) {
  if (head.size() < offset + magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), head.begin() + static_cast<std::ptrdiff_t>(offset),
                    [](char a, unsigned char b) { return static_cast<unsigned char>(a) == b; });
}

bool contains(std::span<const unsigned char> head, std::string_view needle) {
  if (head.size() < needle.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= head.size(); ++i) {
    if (starts_with(head, i, needle)) return true;
  }
  return false;
}

// ISO base media (MP4 family): a box `ftyp` at offset 4 whose major brand
// tells audio, image and video apart.
std::optional<Sniffed> sniff_ftyp(std::span<const unsigned char> head) {
  if (!starts_with(head, 4, "ftyp") || head.size() < 12) return std::nullopt;
  const std::string_view brand(reinterpret_cast<const char*>(head.data() + 8), 4);
  constexpr std::array<std::string_view, 7> heif{"heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"};
  if (std::find(heif.begin(), heif.end(), brand) != heif.end()) return Sniffed{"image/heic", MediaKind::image};
  if (brand == "avif" || brand == "avis") return Sniffed{"image/avif", MediaKind::image};
  if (brand == "M4A " || brand == "M4B " || brand == "F4A ") return Sniffed{"audio/mp4", MediaKind::voice};
  if (brand == "qt  ") return Sniffed{"video/quicktime", MediaKind::file};
  if (brand.substr(0, 3) == "3gp" || brand.substr(0, 3) == "3g2") return Sniffed{"video/3gpp", MediaKind::file};
  return Sniffed{"video/mp4", MediaKind::file};
}

}  // namespace

std::string_view to_string(MediaKind kind) noexcept {
  switch (kind) {
    case MediaKind::image:
      return "image";
    case MediaKind::voice:
      return "voice";
    case MediaKind::file:
      return "file";
  }
  return "file";
}

std::optional<MediaKind> parse_media_kind(std::string_view text) noexcept {
  if (text == "image") return MediaKind::image;
  if (text == "voice") return MediaKind::voice;
  if (text == "file") return MediaKind::file;
  return std::nullopt;
}

Sniffed sniff(std::span<const unsigned char> head) noexcept {
  // Images.
  if (starts_with(head, 0, "\xFF\xD8\xFF")) return {"image/jpeg", MediaKind::image};
  if (starts_with(head, 0, "\x89PNG\r\n\x1A\n")) return {"image/png", MediaKind::image};
  if (starts_with(head, 0, "GIF87a") || starts_with(head, 0, "GIF89a")) return {"image/gif", MediaKind::image};
  if (starts_with(head, 0, "RIFF") && starts_with(head, 8, "WEBP")) return {"image/webp", MediaKind::image};
  if (auto ftyp = sniff_ftyp(head)) return *ftyp;

  // Voice and other audio.
  if (starts_with(head, 0, "OggS")) {
    if (contains(head, "OpusHead") || contains(head, "\x01vorbis")) return {"audio/ogg", MediaKind::voice};
    return {"application/ogg", MediaKind::file};
  }
  if (starts_with(head, 0, "#!AMR-WB\n")) return {"audio/amr-wb", MediaKind::voice};
  if (starts_with(head, 0, "#!AMR\n")) return {"audio/amr", MediaKind::voice};
  if (starts_with(head, 0, "RIFF") && starts_with(head, 8, "WAVE")) return {"audio/wav", MediaKind::voice};
  if (starts_with(head, 0, "fLaC")) return {"audio/flac", MediaKind::voice};
  if (starts_with(head, 0, "ID3")) return {"audio/mpeg", MediaKind::voice};
  // Matroska/WebM: browsers record voice notes as WebM with Opus.
  if (starts_with(head, 0, "\x1A\x45\xDF\xA3") && contains(head, "webm")) return {"audio/webm", MediaKind::voice};
  if (head.size() >= 2 && head[0] == 0xFF) {
    const unsigned char b1 = head[1];
    // ADTS AAC: sync 12 bits, layer 00.
    if ((b1 & 0xF6) == 0xF0) return {"audio/aac", MediaKind::voice};
    // MPEG audio frame: sync 11 bits, a version other than reserved, a layer.
    if ((b1 & 0xE0) == 0xE0 && (b1 & 0x18) != 0x08 && (b1 & 0x06) != 0) return {"audio/mpeg", MediaKind::voice};
  }

  // Documents and archives.
  if (starts_with(head, 0, "%PDF-")) return {"application/pdf", MediaKind::file};
  if (starts_with(head, 0, "PK\x03\x04")) return {"application/zip", MediaKind::file};
  if (starts_with(head, 0, "\x1F\x8B")) return {"application/gzip", MediaKind::file};
  return {"application/octet-stream", MediaKind::file};
}

}  // namespace chat::admin
