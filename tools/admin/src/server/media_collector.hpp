#pragma once
// The media garbage collector: a thread that, every media_gc_interval_ms,
// removes uploads no message referenced within media_gc_age_s (catalogue row
// and, when no other upload shares the content, the blob), blobs no row uses
// any more (left by a cascade or a crash between storing and cataloguing),
// and stale temporary files.
#include "server.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <thread>

namespace chat::admin {

// Removes the blobs among `digests` that no catalogue row uses, under the
// store's mutex; returns how many were removed.
std::size_t remove_unused_blobs(Context& context, storage::Store& store, std::span<const std::string> digests);

struct CollectorPass {
  std::uint64_t uploads = 0;  // catalogue rows removed
  std::uint64_t blobs = 0;    // files removed
};

// One pass; `shard_index` picks which of the 256 blob shards is swept for orphans.
CollectorPass collect_media(Context& context, storage::Store& store, unsigned shard_index);

class MediaCollector {
 public:
  explicit MediaCollector(Context& context);
  ~MediaCollector();  // stops the thread
  MediaCollector(const MediaCollector&) = delete;
  MediaCollector& operator=(const MediaCollector&) = delete;

 private:
  void run();

  Context& context_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace chat::admin
