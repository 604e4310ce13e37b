#include "state.hpp"

#include "chat/gateway/upgrade_policy.hpp"

#include <sstream>

namespace chat::gateway {

ConnectionSlot::~ConnectionSlot() {
  if (state_ != nullptr) state_->release();
}

GatewayState::GatewayState(Config config, Logger& log)
    : config_(std::move(config)), allowed_origins_(parse_origin_list(config_.allowed_origins)), log_(log) {}

ConnectionSlot GatewayState::try_admit() {
  if (open_ >= config_.max_connections) return {};
  ++open_;
  return ConnectionSlot(this);
}

void GatewayState::release() {
  --open_;
  if (draining_ && open_ == 0 && drained_) {
    auto drained = std::move(drained_);
    drained_ = nullptr;
    drained();
  }
}

void GatewayState::begin_drain(std::function<void()> drained) {
  draining_ = true;
  drained_ = std::move(drained);
  // drain() only closes sockets; the pipes leave the set later, from their own coroutines.
  const std::vector<Drainable*> open(pipes_.begin(), pipes_.end());
  for (Drainable* pipe : open) pipe->drain();
  if (open_ == 0 && drained_) {
    auto done = std::move(drained_);
    drained_ = nullptr;
    done();
  }
}

namespace {

void family(std::ostream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

void labelled(std::ostream& out, const char* name, const char* label,
              const std::map<std::string, std::uint64_t>& values) {
  for (const auto& [key, value] : values) out << name << '{' << label << "=\"" << key << "\"} " << value << '\n';
}

}  // namespace

std::string render_metrics(const GatewayState& state) {
  const Counters& c = state.counters();
  std::ostringstream out;
  family(out, "chat_gateway_connections_open", "gauge", "WebSocket connections open or in their handshake");
  out << "chat_gateway_connections_open " << state.open_connections() << '\n';
  family(out, "chat_gateway_pipes_open", "gauge", "WebSocket connections piped to the broker");
  out << "chat_gateway_pipes_open " << state.open_pipes() << '\n';
  family(out, "chat_gateway_connections_max", "gauge", "the cap on open connections (max_connections)");
  out << "chat_gateway_connections_max " << state.config().max_connections << '\n';
  family(out, "chat_gateway_draining", "gauge", "1 after SIGTERM");
  out << "chat_gateway_draining " << (state.draining() ? 1 : 0) << '\n';
  family(out, "chat_gateway_connections_accepted_total", "counter", "TCP connections accepted on ws and wss");
  out << "chat_gateway_connections_accepted_total " << c.connections_accepted << '\n';
  family(out, "chat_gateway_upgrades_total", "counter", "WebSockets opened and piped to the broker");
  out << "chat_gateway_upgrades_total " << c.upgrades << '\n';
  family(out, "chat_gateway_refusals_total", "counter", "handshakes answered with an HTTP error, by reason");
  labelled(out, "chat_gateway_refusals_total", "reason", c.refusals);
  family(out, "chat_gateway_handshake_failures_total", "counter", "handshakes that did not finish, by stage");
  labelled(out, "chat_gateway_handshake_failures_total", "stage", c.handshake_failures);
  family(out, "chat_gateway_closes_total", "counter", "pipes ended, by what ended them");
  labelled(out, "chat_gateway_closes_total", "reason", c.closes);
  family(out, "chat_gateway_messages_total", "counter", "WebSocket messages forwarded, by direction");
  out << "chat_gateway_messages_total{direction=\"to_broker\"} " << c.messages_to_broker << '\n';
  out << "chat_gateway_messages_total{direction=\"to_client\"} " << c.reads_from_broker << '\n';
  family(out, "chat_gateway_bytes_total", "counter", "bytes forwarded, by direction");
  out << "chat_gateway_bytes_total{direction=\"to_broker\"} " << c.bytes_to_broker << '\n';
  out << "chat_gateway_bytes_total{direction=\"to_client\"} " << c.bytes_to_clients << '\n';
  return out.str();
}

}  // namespace chat::gateway
