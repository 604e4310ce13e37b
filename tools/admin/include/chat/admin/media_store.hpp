#pragma once
// The media store on disk: content-addressed blobs under
//
//   <root>/blobs/<first two hex digits>/<sha256 hex>   the bytes, once per content
//   <root>/tmp/upload-XXXXXX                           uploads in flight
//
// An upload streams into a temporary file while it is hashed and sniffed,
// then is renamed into place (or dropped when that content is stored
// already). The catalogue (the `media` table) names each upload by an id
// derived from its uploader and digest (media_id_for), so one user's upload
// id neither reveals nor grants another's.
//
// One server owns a store: placing a blob and cataloguing it, and checking a
// blob unused and removing it, happen under mutex(), so the collector never
// removes a blob an upload is about to catalogue.
#include "chat/admin/digest.hpp"
#include "chat/admin/sniff.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::admin {

struct MediaLimits {
  std::uint64_t image = 10ull << 20;
  std::uint64_t voice = 16ull << 20;
  std::uint64_t file = 64ull << 20;

  std::uint64_t limit(MediaKind kind) const;
  std::uint64_t largest() const;
};

// "m-" + base64url(SHA-256("chat-media-v1\n<uploader>\n<sha256 hex>")): 45
// characters of ^[A-Za-z0-9_-]{1,64}$. The same bytes uploaded again by the
// same user get the same id.
std::string media_id_for(std::int64_t uploader, std::string_view sha256_hex);

class MediaStore {
 public:
  // Creates <root>/blobs and <root>/tmp (mode 0700) when missing and removes
  // what an earlier run left in tmp. Throws std::runtime_error when it cannot.
  explicit MediaStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path tmp_dir() const { return root_ / "tmp"; }
  std::filesystem::path blob_path(std::string_view sha256_hex) const;

  std::mutex& mutex() { return mutex_; }

  // Moves a finished upload's file into place as the blob of `sha256_hex`;
  // when that blob exists, refreshes its time and drops the file instead.
  // Returns true when a new blob was stored. Call with mutex() held.
  bool place(const std::filesystem::path& temp_file, std::string_view sha256_hex);
  // Removes a blob; false when there was none. Call with mutex() held.
  bool remove(std::string_view sha256_hex);

  // Digests of the blobs in one shard (the first two hex digits, "00".."ff")
  // last modified before `cutoff`, for the orphan sweep.
  std::vector<std::string> blobs_modified_before(std::filesystem::file_time_type cutoff, std::string_view shard) const;
  // Removes temporary files last modified before `cutoff`; returns how many.
  std::size_t remove_stale_temp(std::filesystem::file_time_type cutoff);

 private:
  std::filesystem::path root_;
  std::mutex mutex_;
};

// One upload streaming into the store's tmp directory.
class Upload {
 public:
  Upload(const MediaStore& store, MediaLimits limits);
  ~Upload();  // removes the temporary file unless it was placed
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  // Appends bytes, hashing them. Returns false once the upload is over the
  // limit of its kind (known from the first kSniffBytes bytes); from then on
  // nothing more is written and the upload can only be refused.
  bool write(const char* data, std::size_t size);
  bool over_limit() const { return over_limit_; }
  std::uint64_t received() const { return received_; }
  // The sniffed type; known once kSniffBytes bytes arrived, or after finish().
  std::optional<Sniffed> sniffed() const { return sniffed_; }

  struct Result {
    std::string sha256;  // lowercase hex
    Sniffed type;
    std::uint64_t size = 0;
  };
  // Sniffs what is left to sniff, flushes the file to disk and returns the
  // digest; nullopt when the upload is over its kind's limit.
  std::optional<Result> finish();

  const std::filesystem::path& temp_path() const { return temp_path_; }
  // After MediaStore::place: the file is no longer ours to remove.
  void released() { released_ = true; }

 private:
  void write_fully(const char* data, std::size_t size);
  void sniff_now();

  MediaLimits limits_;
  std::filesystem::path temp_path_;
  int fd_ = -1;
  Sha256 hash_;
  std::string head_;
  std::optional<Sniffed> sniffed_;
  std::uint64_t received_ = 0;
  bool over_limit_ = false;
  bool released_ = false;
};

}  // namespace chat::admin
