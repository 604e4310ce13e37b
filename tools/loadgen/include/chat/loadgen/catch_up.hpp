#pragma once
// A client's catch-up through the bridge's requests (docs/protocol.md section 4):
// chat.list page by page gives the chats and their last_seq, then sync with
// the cursors the client holds, again and again until nothing more is left.
// This is the bookkeeping, without MQTT: it writes the requests, reads the
// answers, moves the cursors, and checks what arrived (every seq of every
// chat once, in order). The JSON is read with a real parser: answers are
// large and this is not the hot path of a message.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chat::loadgen {

class CatchUp {
 public:
  // {"id":…,"op":"chat.list","args":{"after":…}} for the next page.
  std::string chat_list_request(std::string_view id) const;
  // Reads a chat.list answer; false when it is not a successful one. Chats
  // start with cursor 0 (the client had nothing).
  bool take_chat_list(std::string_view answer);
  bool listing_done() const { return listing_done_; }

  // {"id":…,"op":"sync","args":{"cursors":{…}}}
  std::string sync_request(std::string_view id) const;
  // Reads a sync answer; false when it is not a successful one.
  bool take_sync(std::string_view answer);
  bool sync_done() const { return sync_done_; }

  // What arrived, against what chat.list said was there.
  std::uint64_t chats() const { return chats_.size(); }
  std::uint64_t expected() const;  // Σ last_seq over the listed chats
  std::uint64_t received() const { return received_; }
  std::uint64_t out_of_order() const { return out_of_order_; }  // a seq other than cursor + 1
  std::uint64_t missing() const;                                // seqs up to last_seq never received
  std::uint64_t sync_requests() const { return syncs_; }
  std::uint64_t list_requests() const { return lists_; }

  // The answer's id, for matching it to its request; nullopt when unreadable.
  static std::optional<std::string> answer_id(std::string_view answer);

 private:
  struct Chat {
    std::uint64_t last_seq = 0;
    std::uint64_t cursor = 0;
  };
  std::map<std::uint64_t, Chat> chats_;
  std::uint64_t after_ = 0;
  bool listing_done_ = false;
  bool sync_done_ = false;
  std::uint64_t received_ = 0;
  std::uint64_t out_of_order_ = 0;
  std::uint64_t syncs_ = 0;
  std::uint64_t lists_ = 0;
};

}  // namespace chat::loadgen
