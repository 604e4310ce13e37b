// Content sniffing by magic bytes (chat/admin/sniff.hpp).
#include "chat/admin/sniff.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::admin {
namespace {

Sniffed of(const std::string& bytes) {
  return sniff(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
}

std::string padded(std::string head) {
  head.resize(64, '\x11');
  return head;
}

std::string ftyp(const std::string& brand) { return padded(std::string("\0\0\0\x18", 4) + "ftyp" + brand); }

TEST(AdminSniff, Images) {
  EXPECT_EQ(of(padded("\xFF\xD8\xFF\xE0")).mime, "image/jpeg");
  EXPECT_EQ(of(padded("\x89PNG\r\n\x1A\n")).mime, "image/png");
  EXPECT_EQ(of(padded("GIF89a")).mime, "image/gif");
  EXPECT_EQ(of(padded("GIF87a")).mime, "image/gif");
  EXPECT_EQ(of(padded(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16))).mime, "image/webp");
  EXPECT_EQ(of(ftyp("heic")).mime, "image/heic");
  EXPECT_EQ(of(ftyp("avif")).mime, "image/avif");
  EXPECT_EQ(of(padded("\x89PNG\r\n\x1A\n")).kind, MediaKind::image);
}

TEST(AdminSniff, Voice) {
  std::string opus = "OggS" + std::string(24, '\0') + "OpusHead";
  EXPECT_EQ(of(padded(opus)).mime, "audio/ogg");
  EXPECT_EQ(of(padded(opus)).kind, MediaKind::voice);
  EXPECT_EQ(of(padded("OggS" + std::string(24, '\0') + "\x01vorbis")).mime, "audio/ogg");
  EXPECT_EQ(of(padded("OggS" + std::string(24, '\0') + "\x80theora")).mime, "application/ogg");
  EXPECT_EQ(of(ftyp("M4A ")).mime, "audio/mp4");
  EXPECT_EQ(of(ftyp("M4A ")).kind, MediaKind::voice);
  EXPECT_EQ(of(padded("ID3\x04")).mime, "audio/mpeg");
  EXPECT_EQ(of(padded(std::string("\xFF\xFB\x90\x00", 4))).mime, "audio/mpeg");  // MPEG-1 layer III frame
  EXPECT_EQ(of(padded("\xFF\xF1\x50\x80")).mime, "audio/aac");                   // ADTS
  EXPECT_EQ(of(padded("#!AMR\n")).mime, "audio/amr");
  EXPECT_EQ(of(padded("#!AMR-WB\n")).mime, "audio/amr-wb");
  EXPECT_EQ(of(padded(std::string("RIFF\x10\0\0\0WAVEfmt ", 16))).mime, "audio/wav");
  EXPECT_EQ(of(padded("fLaC")).mime, "audio/flac");
  EXPECT_EQ(of(padded(std::string("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm"))).mime, "audio/webm");
}

TEST(AdminSniff, FilesAndUnknown) {
  EXPECT_EQ(of(padded("%PDF-1.7")).mime, "application/pdf");
  EXPECT_EQ(of(padded("PK\x03\x04")).mime, "application/zip");
  EXPECT_EQ(of(padded("\x1F\x8B\x08")).mime, "application/gzip");
  EXPECT_EQ(of(ftyp("isom")).mime, "video/mp4");
  EXPECT_EQ(of(ftyp("qt  ")).mime, "video/quicktime");
  EXPECT_EQ(of(ftyp("3gp5")).mime, "video/3gpp");
  for (const std::string& unknown :
       {std::string("<html><script>"), std::string("<?xml version"), std::string("<svg"), std::string("plain text"),
        std::string(), std::string("\xFF"), std::string("\xFF\xD8")}) {
    EXPECT_EQ(of(unknown).mime, "application/octet-stream") << unknown;
    EXPECT_EQ(of(unknown).kind, MediaKind::file);
  }
  // A header that is cut short is not taken for what it would start.
  EXPECT_EQ(of("\x89PNG").mime, "application/octet-stream");
  EXPECT_EQ(of(std::string("RIFF\x10\0\0\0WEB", 11)).mime, "application/octet-stream");
}

TEST(AdminSniff, KindNames) {
  EXPECT_EQ(to_string(MediaKind::voice), "voice");
  EXPECT_EQ(parse_media_kind("image"), MediaKind::image);
  EXPECT_FALSE(parse_media_kind("video").has_value());
}

}  // namespace
}  // namespace chat::admin
