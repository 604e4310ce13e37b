#pragma once
// The type of an upload, from its first bytes (magic numbers), never from the
// client's Content-Type. The kind picks the size limit and tells clients
// which message type fits (image, voice, file); anything unrecognised is an
// application/octet-stream `file`, so nothing uploaded is ever served as
// HTML or script.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace chat::admin {

enum class MediaKind { image, voice, file };

std::string_view to_string(MediaKind kind) noexcept;
std::optional<MediaKind> parse_media_kind(std::string_view text) noexcept;

struct Sniffed {
  std::string_view mime;
  MediaKind kind = MediaKind::file;
};

// Bytes sniff() looks at; fewer are fine (a short blob is sniffed as it is).
inline constexpr std::size_t kSniffBytes = 64;

// JPEG, PNG, GIF, WebP, HEIC/AVIF -> image; Ogg (Opus/Vorbis), M4A, MP3, AAC
// (ADTS), AMR, WAV, FLAC, WebM -> voice; PDF, ZIP, gzip, MP4/MOV/3GP video,
// unknown -> file.
Sniffed sniff(std::span<const unsigned char> head) noexcept;

}  // namespace chat::admin
