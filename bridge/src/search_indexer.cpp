#include "search_indexer.hpp"

#include <algorithm>

namespace chat::bridge {

SearchIndexer::SearchIndexer(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log,
                             const std::atomic<bool>& give_up, std::function<bool()> writers_busy)
    : config_(config),
      writers_busy_(std::move(writers_busy)),
      metrics_(metrics),
      log_(log),
      db_(config.database_url,
          BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                        std::chrono::milliseconds(config.db_backoff_max_ms)},
          give_up, health, metrics, log, "search indexer") {}

SearchIndexer::~SearchIndexer() { stop(); }

void SearchIndexer::start() {
  thread_ = std::thread([this] { run(); });
}

void SearchIndexer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SearchIndexer::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [&] { return stopping_; });
}

void SearchIndexer::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    bool more = false;
    const auto started = SteadyClock::now();
    try {
      more = round();
    } catch (const Abandoned&) {
      return;
    } catch (const std::exception& error) {
      db_.reset();
      log_.error("search index round failed", {{"error", error.what()}});
    }
    const std::chrono::milliseconds poll(config_.search_index_poll_ms);
    if (config_.search_index_yield > 0 && writers_busy_()) {
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
      pause(std::max(more ? std::chrono::milliseconds(0) : poll, took * config_.search_index_yield));
    } else if (!more) {
      pause(poll);
    }
  }
}

bool SearchIndexer::round() {
  if (SteadyClock::now() >= next_backlog_sample_) {
    metrics_.search_index_backlog.set(
        static_cast<double>(db_.run([](storage::Store& s) { return s.messages().search_index_backlog(); })));
    next_backlog_sample_ = SteadyClock::now() + std::chrono::seconds(5);
  }
  const auto done =
      db_.run([this](storage::Store& s) { return s.messages().index_for_search(config_.search_index_batch); });
  if (done.merge_refused && !merge_refusal_logged_) {
    // Once: the rounds still index, only the merge waits for autovacuum.
    merge_refusal_logged_ = true;
    log_.warn(
        "search index: this database role does not own message_search, so the index's pending list is merged by "
        "autovacuum only and searches read it meanwhile; run the bridge as the role that ran the migrations or "
        "GRANT that role to it (docs/bridge.md, \"Search\")");
  }
  if (done.messages > 0) {
    metrics_.search_indexed.inc(static_cast<std::uint64_t>(done.messages));
    log_.debug("search index round", {{"messages", done.messages}, {"chats", done.chats}, {"changed", done.changed}});
  }
  return done.ran && done.more;
}

}  // namespace chat::bridge
