#include "chat/bridge/ack_batch.hpp"

#include "chat/protocol/events.hpp"
#include "chat/protocol/identifiers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace chat::bridge {
namespace {

// {"ev":"acks","acks":[ … ]}, the entries written in between.
const std::string& head() {
  static const std::string text = R"({"ev":")" + std::string(protocol::event::kAcks) + R"(","acks":[)";
  return text;
}
constexpr std::string_view kTail = "]}";

// Client ids are protocol tokens (checked before anything is stored), which
// JSON needs no escaping for; anything else goes through the JSON writer.
bool plain(std::string_view id) { return std::all_of(id.begin(), id.end(), protocol::is_token_char); }

void append_entry(std::string& out, const AckEntry& e) {
  out += R"({"chat":)";
  out += std::to_string(e.chat);
  out += R"(,"id":)";
  if (plain(e.id)) {
    out += '"';
    out += e.id;
    out += '"';
  } else {
    out += nlohmann::json(e.id).dump();
  }
  out += R"(,"seq":)";
  out += std::to_string(e.seq);
  out += R"(,"ts":)";
  out += std::to_string(e.ts_ms);
  out += '}';
}

}  // namespace

void AckBatch::add(std::int64_t sender, AckEntry entry, std::chrono::steady_clock::time_point received) {
  // A transaction holds a few senders to a few hundred: a linear search from
  // the back (the sender of the previous ack, most often) beats a map here.
  auto it = std::find_if(senders_.rbegin(), senders_.rend(), [&](const Pending& p) { return p.sender == sender; });
  if (it == senders_.rend()) {
    senders_.push_back(Pending{sender, {}, {}});
    it = senders_.rbegin();
  }
  it->entries.push_back(std::move(entry));
  it->received.push_back(received);
  ++count_;
}

std::vector<AckEvent> AckBatch::take() {
  std::vector<AckEvent> events;
  events.reserve(senders_.size());
  for (Pending& p : senders_) {
    auto emit = [&](std::string payload, std::size_t first, std::size_t last) {
      AckEvent event;
      event.sender = p.sender;
      event.payload = std::move(payload);
      event.received.assign(p.received.begin() + static_cast<std::ptrdiff_t>(first),
                            p.received.begin() + static_cast<std::ptrdiff_t>(last));
      events.push_back(std::move(event));
    };
    std::string out(head());
    std::size_t first = 0;
    for (std::size_t i = 0; i < p.entries.size(); ++i) {
      const std::size_t mark = out.size();
      if (i > first) out += ',';
      append_entry(out, p.entries[i]);
      // Over the limit: this entry starts the next event (an event holds at
      // least one entry; one entry is under 200 bytes).
      if (out.size() + kTail.size() > max_bytes_ && i > first) {
        out.resize(mark);
        out += kTail;
        emit(std::move(out), first, i);
        out.assign(head());
        first = i;
        append_entry(out, p.entries[i]);
      }
    }
    out += kTail;
    emit(std::move(out), first, p.entries.size());
  }
  senders_.clear();
  count_ = 0;
  return events;
}

}  // namespace chat::bridge
