#include "chat/admin/media_store.hpp"

#include "chat/admin/pagination.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::admin {
namespace fs = std::filesystem;
namespace {

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

bool is_hex_digest(std::string_view text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void make_private_dir(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

}  // namespace

std::uint64_t MediaLimits::limit(MediaKind kind) const {
  switch (kind) {
    case MediaKind::image:
      return image;
    case MediaKind::voice:
      return voice;
    case MediaKind::file:
      return file;
  }
  return file;
}

std::uint64_t MediaLimits::largest() const { return std::max({image, voice, file}); }

std::string media_id_for(std::int64_t uploader, std::string_view sha256_hex) {
  std::string input = "chat-media-v1\n";
  input += std::to_string(uploader);
  input += '\n';
  input += sha256_hex;
  const auto digest = sha256(input);
  return "m-" + base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// ---- MediaStore ------------------------------------------------------------------

MediaStore::MediaStore(fs::path root) : root_(std::move(root)) {
  try {
    make_private_dir(root_);
    make_private_dir(root_ / "blobs");
    make_private_dir(tmp_dir());
    // No upload is in flight before the server starts.
    for (const auto& entry : fs::directory_iterator(tmp_dir())) fs::remove_all(entry.path());
  } catch (const fs::filesystem_error& error) {
    throw std::runtime_error("media store " + root_.string() + ": " + error.what());
  }
}

fs::path MediaStore::blob_path(std::string_view sha256_hex) const {
  if (!is_hex_digest(sha256_hex)) throw std::invalid_argument("blob_path: not a SHA-256 hex digest");
  return root_ / "blobs" / std::string(sha256_hex.substr(0, 2)) / std::string(sha256_hex);
}

bool MediaStore::place(const fs::path& temp_file, std::string_view sha256_hex) {
  const fs::path target = blob_path(sha256_hex);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    // Known content: keep the blob, refresh its time (the orphan sweep goes
    // by age), drop the copy.
    fs::last_write_time(target, fs::file_time_type::clock::now(), ec);
    fs::remove(temp_file, ec);
    return false;
  }
  make_private_dir(target.parent_path());
  if (::rename(temp_file.c_str(), target.c_str()) != 0) throw system_error("cannot store blob " + target.string());
  fsync_directory(target.parent_path());
  return true;
}

bool MediaStore::remove(std::string_view sha256_hex) {
  std::error_code ec;
  return fs::remove(blob_path(sha256_hex), ec);
}

std::vector<std::string> MediaStore::blobs_modified_before(fs::file_time_type cutoff, std::string_view shard) const {
  std::vector<std::string> digests;
  std::error_code ec;
  for (auto it = fs::directory_iterator(root_ / "blobs" / std::string(shard), ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    const std::string name = it->path().filename().string();
    if (!is_hex_digest(name) || name.compare(0, 2, shard) != 0) continue;
    const auto modified = fs::last_write_time(it->path(), entry_ec);
    if (!entry_ec && modified < cutoff) digests.push_back(name);
  }
  return digests;
}

std::size_t MediaStore::remove_stale_temp(fs::file_time_type cutoff) {
  std::size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(tmp_dir(), ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    const auto modified = fs::last_write_time(it->path(), entry_ec);
    if (!entry_ec && modified < cutoff && fs::remove(it->path(), entry_ec)) ++removed;
  }
  return removed;
}

// ---- Upload ------------------------------------------------------------------------

Upload::Upload(const MediaStore& store, MediaLimits limits) : limits_(limits) {
  std::string pattern = (store.tmp_dir() / "upload-XXXXXX").string();
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd_ < 0) throw system_error("cannot create a temporary file in " + store.tmp_dir().string());
  temp_path_ = pattern;
  head_.reserve(kSniffBytes);
}

Upload::~Upload() {
  if (fd_ >= 0) ::close(fd_);
  if (!released_) {
    std::error_code ec;
    fs::remove(temp_path_, ec);
  }
}

void Upload::write_fully(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw system_error("cannot write " + temp_path_.string());
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void Upload::sniff_now() {
  sniffed_ = sniff(std::span(reinterpret_cast<const unsigned char*>(head_.data()), head_.size()));
}

bool Upload::write(const char* data, std::size_t size) {
  if (over_limit_) return false;
  if (!sniffed_) {
    const std::size_t take = std::min(size, kSniffBytes - head_.size());
    head_.append(data, take);
    if (head_.size() == kSniffBytes) sniff_now();
  }
  received_ += size;
  if (sniffed_ && received_ > limits_.limit(sniffed_->kind)) {
    over_limit_ = true;
    return false;
  }
  hash_.update(data, size);
  write_fully(data, size);
  return true;
}

std::optional<Upload::Result> Upload::finish() {
  if (over_limit_) return std::nullopt;
  if (!sniffed_) sniff_now();
  if (received_ > limits_.limit(sniffed_->kind)) {  // a limit below kSniffBytes
    over_limit_ = true;
    return std::nullopt;
  }
  if (::fsync(fd_) != 0) throw system_error("cannot flush " + temp_path_.string());
  ::close(fd_);
  fd_ = -1;
  return Result{to_hex(hash_.finish()), *sniffed_, received_};
}

}  // namespace chat::admin
