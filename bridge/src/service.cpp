#include "service.hpp"

#include "http_server.hpp"
#include "mqtt_link.hpp"
#include "notifier.hpp"
#include "presence_worker.hpp"
#include "request_worker.hpp"
#include "search_indexer.hpp"
#include "writer.hpp"

#include <nlohmann/json.hpp>

#include <thread>

namespace chat::bridge {

Service::Service(Config config, Logger& log) : config_(std::move(config)), log_(log) {}

Service::~Service() = default;

namespace {

// Applies the schema migrations (as every service does at start), waiting for
// the database while it is not reachable.
bool migrate(const Config& config, Health& health, BridgeMetrics& metrics, Logger& log, const std::atomic<bool>& stop) {
  DbSession db(config.database_url,
               BackoffPolicy{std::chrono::milliseconds(config.db_backoff_first_ms),
                             std::chrono::milliseconds(config.db_backoff_max_ms)},
               stop, health, metrics, log, "migrate");
  try {
    const auto report = db.run([](storage::Store& s) { return s.migrate(); });
    log.info("schema ready",
             {{"version", report.to_version}, {"applied", static_cast<std::uint64_t>(report.applied.size())}});
    return true;
  } catch (const Abandoned&) {
    return false;
  }
}

}  // namespace

int Service::run() {
  Registry registry;
  BridgeMetrics metrics(registry);
  Health health;
  health.db_ok = false;

  log_.info("starting", {{"mqtt_uri", config_.mqtt_uri},
                         {"client_id", config_.mqtt_client_id},
                         {"share_group", config_.share_group},
                         {"writers", config_.writers},
                         {"notifications", config_.notifications_enabled()}});

  std::unique_ptr<HttpServer> http;
  std::vector<std::unique_ptr<Writer>> writers;
  std::unique_ptr<PresenceWorker> presence;
  std::unique_ptr<RequestWorker> requests;
  std::unique_ptr<MqttLink> link;
  std::unique_ptr<Outbound> outbound;
  std::unique_ptr<Notifier> notifier;
  std::unique_ptr<SearchIndexer> search_indexer;

  registry.gauge_fn("chat_bridge_queue_depth", "Messages waiting for a writer", [&writers] {
    std::size_t depth = 0;
    for (const auto& w : writers) depth += w->queue().size();
    return static_cast<double>(depth);
  });
  registry.gauge_fn("chat_bridge_queue_capacity", "Room for messages waiting for a writer",
                    [this] { return static_cast<double>(config_.queue_capacity); });
  registry.gauge_fn("chat_bridge_presence_queue_depth", "Devices whose latest state waits to be stored",
                    [&presence] { return presence ? static_cast<double>(presence->pending()) : 0.0; });
  registry.gauge_fn("chat_bridge_request_queue_depth", "Client requests waiting for a request worker",
                    [&requests] { return requests ? static_cast<double>(requests->queue_depth()) : 0.0; });
  registry.gauge_fn("chat_bridge_db_up", "1 while the last database operation succeeded",
                    [&health] { return health.db_ok ? 1.0 : 0.0; });
  registry.gauge_fn("chat_bridge_mqtt_connected", "1 while both MQTT connections are up",
                    [&health] { return health.session_connected && health.publisher_connected ? 1.0 : 0.0; });

  if (config_.http_port != 0) {
    http = std::make_unique<HttpServer>(health, registry, [&health, &writers] {
      std::size_t depth = 0;
      for (const auto& w : writers) depth += w->queue().size();
      nlohmann::json detail{{"status", health.ok() ? "ok" : "degraded"},
                            {"mqtt_session", health.session_connected.load()},
                            {"mqtt_subscribed", health.session_subscribed.load()},
                            {"mqtt_publisher", health.publisher_connected.load()},
                            {"database", health.db_ok.load()},
                            {"draining", health.draining.load()},
                            {"queue_depth", depth}};
      return detail.dump();
    });
    try {
      http->start(config_.http_bind, config_.http_port);
    } catch (const std::exception& error) {
      log_.error("cannot serve /healthz and /metrics", {{"error", error.what()}});
      return 1;
    }
    log_.info("http listening", {{"bind", config_.http_bind}, {"port", config_.http_port}});
  }

  if (!migrate(config_, health, metrics, log_, stop_requested_)) return 0;

  try {
    link = std::make_unique<MqttLink>(config_, health, metrics, log_, stop_requested_, give_up_);
  } catch (const std::exception& error) {
    log_.error("cannot set up the MQTT clients", {{"error", error.what()}});
    return 1;
  }
  outbound = std::make_unique<Outbound>([&link](const std::string& topic, const std::string& payload, int qos,
                                                bool retained) { return link->publish(topic, payload, qos, retained); },
                                        static_cast<std::size_t>(config_.outbound_client_window), metrics);
  link->attach_outbound(*outbound);
  outbound->start();
  for (int i = 0; i < config_.writers; ++i) {
    writers.push_back(std::make_unique<Writer>(i, config_, *outbound, health, metrics, log_, give_up_));
  }
  presence = std::make_unique<PresenceWorker>(config_, *outbound, health, metrics, log_, give_up_);
  requests = std::make_unique<RequestWorker>(config_, *outbound, health, metrics, log_, give_up_);
  link->attach(writers, *presence, *requests);
  for (auto& w : writers) w->start();
  presence->start();
  requests->start();
  if (config_.notifications_enabled()) {
    notifier = std::make_unique<Notifier>(config_, health, metrics, log_, give_up_);
    notifier->start();
  }
  if (config_.search_index_batch > 0) {
    search_indexer = std::make_unique<SearchIndexer>(config_, health, metrics, log_, give_up_, [&writers] {
      for (const auto& w : writers) {
        if (w->queue().size() > 0) return true;
      }
      return false;
    });
    search_indexer->start();
  }

  if (link->connect()) {
    log_.info("running",
              {{"subscriptions", static_cast<std::uint64_t>(subscription_filters(config_.share_group).size())}});
    while (!stop_requested_) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // Drain: stop receiving (the broker keeps the session and queues for it),
  // store and ack what is in memory, then stop the rest.
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(config_.drain_timeout_ms);
  health.draining = true;
  std::size_t in_memory = 0;
  for (const auto& w : writers) in_memory += w->queue().size();
  log_.info("draining", {{"messages_in_memory", static_cast<std::uint64_t>(in_memory)}});
  link->close_session();
  for (auto& w : writers) w->finish();
  presence->finish();
  requests->finish();
  const auto writers_done = [&writers] {
    for (const auto& w : writers) {
      if (!w->done()) return false;
    }
    return true;
  };
  while (!writers_done() && SteadyClock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!writers_done()) log_.warn("drain deadline passed; giving up on the database");
  give_up_ = true;
  for (auto& w : writers) w->join();
  presence->join();
  requests->join();
  if (notifier) notifier->stop();
  if (search_indexer) search_indexer->stop();
  outbound->finish();  // the last acks to the client, which sends them before it disconnects
  link->close_publisher();
  if (http) http->stop();
  log_.info("stopped", {{"stored", metrics.stored.value()}, {"acks", metrics.acks.value()}});
  return 0;
}

}  // namespace chat::bridge
