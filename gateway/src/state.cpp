#include "state.hpp"

#include "chat/gateway/upgrade_policy.hpp"

namespace chat::gateway {

ConnectionSlot::~ConnectionSlot() {
  if (state_ != nullptr) state_->release();
}

GatewayState::GatewayState(Config config, observability::Logger& log)
    : config_(std::move(config)),
      allowed_origins_(parse_origin_list(config_.allowed_origins)),
      log_(log),
      metrics_(config_.max_connections, {.connections_open = [this] { return open_connections(); },
                                         .pipes_open = [this] { return open_pipes(); },
                                         .draining = [this] { return draining() ? 1.0 : 0.0; }}) {}

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

}  // namespace chat::gateway
