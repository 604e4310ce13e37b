#include "request_worker.hpp"

#include "chat/bridge/requests.hpp"
#include "chat/bridge/request_handler.hpp"
#include "store_request_data.hpp"

namespace chat::bridge {

RequestWorker::RequestWorker(const Config& config, Publisher& publisher, Health& health, BridgeMetrics& metrics,
                             Logger& log, const std::atomic<bool>& give_up)
    : config_(config),
      publisher_(publisher),
      metrics_(metrics),
      log_(log),
      queue_(static_cast<std::size_t>(config.request_queue_capacity)) {
  for (int i = 0; i < config.request_workers; ++i) {
    sessions_.push_back(std::make_unique<DbSession>(config.database_url,
                                                    BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                                                                  std::chrono::milliseconds(config.db_backoff_max_ms)},
                                                    give_up, health, metrics, log, "requests-" + std::to_string(i)));
  }
}

RequestWorker::~RequestWorker() {
  finish();
  join();
}

void RequestWorker::start() {
  for (auto& session : sessions_) threads_.emplace_back([this, db = session.get()] { run(*db); });
}

void RequestWorker::finish() { queue_.close(); }

void RequestWorker::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void RequestWorker::submit(InboundRequest request) {
  if (queue_.offer(request.uid, request)) return;
  // offer() left the request intact. Its id is read for the answer; the rest
  // is not looked at (that is the workers' job, and they are behind).
  metrics_.requests_busy.inc();
  const auto parsed = parse_request(request.payload, static_cast<std::size_t>(config_.max_payload_bytes));
  std::optional<std::string> id;
  if (const auto* ok = std::get_if<Request>(&parsed)) id = ok->id;
  if (const auto* failed = std::get_if<RequestFailure>(&parsed)) id = failed->id;
  answer(request, error_response(id, {RequestErrorCode::internal, "busy: too many requests waiting; retry later"}),
         false);
}

void RequestWorker::run(DbSession& db) {
  try {
    db.run([](storage::Store&) { return true; });  // connect now, not on the first request
  } catch (const Abandoned&) {
    return;
  }
  for (;;) {
    auto taken = queue_.take(std::chrono::milliseconds(200));
    if (!taken) {
      if (queue_.closed() && queue_.size() == 0) return;
      continue;
    }
    // The user's next request waits until this one's events and answer are
    // queued for the publisher (one connection, published in queue order).
    struct Release {
      KeyedQueue<InboundRequest, Id>& queue;
      Id uid;
      ~Release() { queue.release(uid); }
    } release{queue_, taken->key};
    try {
      serve(taken->item, db);
    } catch (const Abandoned&) {
      return;  // stopping while the database is away: the client asks again
    }
  }
}

void RequestWorker::serve(const InboundRequest& request, DbSession& db) {
  const auto parsed = parse_request(request.payload, static_cast<std::size_t>(config_.max_payload_bytes));
  if (const auto* failure = std::get_if<RequestFailure>(&parsed)) {
    log_.debug("request refused", {{"uid", request.uid}, {"error", failure->error.message}});
    answer(request, error_response(failure->id, failure->error), false);
    return;
  }
  const auto& parsed_request = std::get<Request>(parsed);
  RequestOutcome outcome;
  try {
    StoreRequestData data(db);
    outcome = handle_request(parsed_request, request.uid, data);
  } catch (const Abandoned&) {
    throw;
  } catch (const std::exception& error) {
    // A bug or a value the database refused: the client hears `internal`,
    // the log has the cause, the connection is renewed in case it is in doubt.
    db.reset();
    log_.error("request failed",
               {{"uid", request.uid}, {"op", std::string(to_string(parsed_request.op))}, {"error", error.what()}});
    outcome =
        RequestOutcome{error_response(parsed_request.id, {RequestErrorCode::internal, "internal error"}), false, {}};
  }
  // Events first: a client that reads its answer and then its events finds
  // them already on their way.
  for (const auto& event : outcome.events) {
    publisher_.publish(event.topic, event.payload, false);
    metrics_.membership_events.inc();
  }
  answer(request, outcome.response, outcome.ok);
  log_.debug("request answered",
             {{"uid", request.uid},
              {"op", std::string(to_string(parsed_request.op))},
              {"ok", outcome.ok},
              {"bytes", static_cast<std::uint64_t>(outcome.response.size())},
              {"ms", std::chrono::duration<double, std::milli>(SteadyClock::now() - request.received).count()}});
}

void RequestWorker::answer(const InboundRequest& request, const std::string& payload, bool ok) {
  publisher_.publish(response_topic(request.uid, request.device), payload, false);
  metrics_.requests.inc();
  if (!ok) metrics_.requests_failed.inc();
  metrics_.request_seconds.observe(std::chrono::duration<double>(SteadyClock::now() - request.received).count());
}

}  // namespace chat::bridge
