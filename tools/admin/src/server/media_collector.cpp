#include "media_collector.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace chat::admin {
namespace {

constexpr int kBatch = 500;

storage::TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::size_t remove_unused_blobs(Context& context, storage::Store& store, std::span<const std::string> digests) {
  if (digests.empty()) return 0;
  std::lock_guard lock(context.media.mutex());
  const auto in_use_list = store.media().digests_in_use(digests);
  const std::set<std::string> in_use(in_use_list.begin(), in_use_list.end());
  std::size_t removed = 0;
  for (const std::string& digest : std::set<std::string>(digests.begin(), digests.end())) {
    if (in_use.count(digest) == 0 && context.media.remove(digest)) ++removed;
  }
  return removed;
}

CollectorPass collect_media(Context& context, storage::Store& store, unsigned shard_index) {
  CollectorPass pass;
  const storage::TimeMs cutoff_ms = now_ms() - static_cast<storage::TimeMs>(context.config.media_gc_age_s) * 1000;

  // Unreferenced uploads past the age, in batches.
  for (;;) {
    const auto digests = store.media().delete_unreferenced(cutoff_ms, kBatch);
    pass.uploads += digests.size();
    pass.blobs += remove_unused_blobs(context, store, digests);
    if (digests.size() < static_cast<std::size_t>(kBatch)) break;
  }

  // Blobs without any catalogue row, past the same age (their time is
  // refreshed whenever an upload of the same content arrives): one shard of
  // the 256 per pass, so a pass stays small however many blobs there are.
  const auto file_cutoff =
      std::filesystem::file_time_type::clock::now() - std::chrono::seconds(context.config.media_gc_age_s);
  char shard[3];
  std::snprintf(shard, sizeof shard, "%02x", static_cast<unsigned>(shard_index % 256));
  const auto candidates = context.media.blobs_modified_before(file_cutoff, shard);
  for (std::size_t i = 0; i < candidates.size(); i += kBatch) {
    const std::size_t end = std::min(candidates.size(), i + static_cast<std::size_t>(kBatch));
    pass.blobs += remove_unused_blobs(context, store, std::span(candidates).subspan(i, end - i));
  }

  // Uploads in flight never take an hour (the server's read timeout is seconds).
  context.media.remove_stale_temp(std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  return pass;
}

MediaCollector::MediaCollector(Context& context) : context_(context) {
  if (context_.config.media_gc_interval_ms > 0) thread_ = std::thread([this] { run(); });
}

MediaCollector::~MediaCollector() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MediaCollector::run() {
  const auto interval = std::chrono::milliseconds(context_.config.media_gc_interval_ms);
  std::unique_ptr<storage::Store> store;
  unsigned shard = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, interval, [this] { return stopping_; })) return;
    }
    try {
      if (!store) store = std::make_unique<storage::Store>(context_.config.database_url);
      const CollectorPass pass = collect_media(context_, *store, shard++);
      context_.metrics.gc_removed(pass.uploads, pass.blobs);
      if (pass.uploads > 0 || pass.blobs > 0) {
        context_.log.info("media collector: removed " + std::to_string(pass.uploads) + " unreferenced uploads, " +
                          std::to_string(pass.blobs) + " blobs");
      }
    } catch (const std::exception& error) {
      // The database may be away; the next pass tries again.
      context_.log.error(std::string("media collector: ") + error.what());
    }
  }
}

}  // namespace chat::admin
