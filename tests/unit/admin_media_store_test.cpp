// The on-disk media store (chat/admin/media_store.hpp) in a temporary
// directory: streaming uploads with hashing, sniffing and per-kind limits,
// content-addressed placement, removal and the sweep helpers.
#include "chat/admin/media_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace chat::admin {
namespace {

namespace fs = std::filesystem;

class AdminMediaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("chat-media-store-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path root_;
};

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8);

TEST_F(AdminMediaStoreTest, UploadsAreHashedSniffedAndPlacedOnce) {
  MediaStore store(root_);
  EXPECT_EQ(fs::status(root_).permissions() & fs::perms::all, fs::perms::owner_all);
  const std::string bytes = kPng + std::string(5000, 'x');
  std::string digest;
  fs::path temp;
  {
    Upload upload(store, MediaLimits{});
    temp = upload.temp_path();
    EXPECT_TRUE(fs::exists(temp));
    // In pieces smaller than the sniffing window.
    for (std::size_t at = 0; at < bytes.size(); at += 7) {
      ASSERT_TRUE(upload.write(bytes.data() + at, std::min<std::size_t>(7, bytes.size() - at)));
    }
    ASSERT_TRUE(upload.sniffed().has_value());
    const auto result = upload.finish();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->type.mime, "image/png");
    EXPECT_EQ(result->size, bytes.size());
    EXPECT_EQ(result->sha256, to_hex(sha256(bytes)));
    digest = result->sha256;
    EXPECT_TRUE(store.place(upload.temp_path(), digest));
    upload.released();
  }
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(read(store.blob_path(digest)), bytes);
  EXPECT_EQ(store.blob_path(digest), root_ / "blobs" / digest.substr(0, 2) / digest);

  // The same content again: the copy is dropped, the blob stays.
  {
    Upload again(store, MediaLimits{});
    again.write(bytes.data(), bytes.size());
    const auto result = again.finish();
    EXPECT_FALSE(store.place(again.temp_path(), result->sha256));
    again.released();
  }
  EXPECT_TRUE(fs::is_empty(store.tmp_dir()));
  EXPECT_TRUE(store.remove(digest));
  EXPECT_FALSE(store.remove(digest));
  EXPECT_THROW(store.blob_path("../../etc/passwd"), std::invalid_argument);
}

TEST_F(AdminMediaStoreTest, LimitsFollowTheSniffedKind) {
  MediaStore store(root_);
  const MediaLimits limits{1024, 2048, 4096};
  {
    Upload image(store, limits);
    const std::string bytes = kPng + std::string(1024 - kPng.size(), 'i');
    EXPECT_TRUE(image.write(bytes.data(), bytes.size()));
    EXPECT_FALSE(image.write("x", 1));  // byte 1025 of an image
    EXPECT_TRUE(image.over_limit());
    EXPECT_FALSE(image.finish().has_value());
  }
  {
    Upload file(store, limits);
    const std::string bytes(3000, 'f');  // unknown: a file, up to 4096
    EXPECT_TRUE(file.write(bytes.data(), bytes.size()));
    EXPECT_TRUE(file.finish().has_value());
  }
  {
    // A short upload is sniffed (and checked) when it ends.
    Upload tiny(store, limits);
    EXPECT_TRUE(tiny.write("%PDF-", 5));
    EXPECT_FALSE(tiny.sniffed().has_value());
    const auto result = tiny.finish();
    EXPECT_EQ(result->type.mime, "application/pdf");
  }
  EXPECT_TRUE(fs::is_empty(store.tmp_dir()));  // nothing placed, nothing left
  EXPECT_EQ(limits.largest(), 4096u);
  EXPECT_EQ(limits.limit(MediaKind::voice), 2048u);
}

TEST_F(AdminMediaStoreTest, MediaIdsAreStablePerUploaderAndContent) {
  const std::string digest = to_hex(sha256("content"));
  const std::string id = media_id_for(7, digest);
  EXPECT_EQ(id, media_id_for(7, digest));
  EXPECT_NE(id, media_id_for(8, digest));
  EXPECT_NE(id, media_id_for(7, to_hex(sha256("other"))));
  EXPECT_EQ(id.rfind("m-", 0), 0u);
  EXPECT_EQ(id.size(), 45u);
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
            std::string::npos);
}

TEST_F(AdminMediaStoreTest, SweepHelpersAndLeftovers) {
  {
    MediaStore store(root_);
    std::ofstream(store.tmp_dir() / "upload-leftover") << "partial";
  }
  MediaStore store(root_);  // a restart clears what an earlier run left in tmp
  EXPECT_TRUE(fs::is_empty(store.tmp_dir()));

  Upload upload(store, MediaLimits{});
  upload.write("%PDF-1", 6);
  const auto result = upload.finish();
  store.place(upload.temp_path(), result->sha256);
  upload.released();
  const std::string shard = result->sha256.substr(0, 2);
  EXPECT_TRUE(store.blobs_modified_before(fs::file_time_type::clock::now() - std::chrono::hours(1), shard).empty());
  fs::last_write_time(store.blob_path(result->sha256), fs::file_time_type::clock::now() - std::chrono::hours(2));
  EXPECT_EQ(store.blobs_modified_before(fs::file_time_type::clock::now() - std::chrono::hours(1), shard),
            std::vector<std::string>{result->sha256});
  EXPECT_TRUE(store.blobs_modified_before(fs::file_time_type::clock::now(), shard == "00" ? "01" : "00").empty());

  std::ofstream(store.tmp_dir() / "upload-stale") << "x";
  fs::last_write_time(store.tmp_dir() / "upload-stale", fs::file_time_type::clock::now() - std::chrono::hours(2));
  std::ofstream(store.tmp_dir() / "upload-fresh") << "x";
  EXPECT_EQ(store.remove_stale_temp(fs::file_time_type::clock::now() - std::chrono::hours(1)), 1u);
  EXPECT_TRUE(fs::exists(store.tmp_dir() / "upload-fresh"));
}

}  // namespace
}  // namespace chat::admin
