#pragma once
// Attempts per key (a client address, a username) at a bounded rate: `burst`
// at once, then `per_minute`. The media API's password sign-in goes through
// two of these before any PBKDF2 runs, so that neither one address nor
// guesses at one account can buy the server's CPU or unlimited tries.
//
// Per key only the time its allowance is spent up to is kept (the generic
// cell rate algorithm): a key whose time has passed is as good as new and is
// forgotten when room is needed, so memory stays bounded by `max_keys`.
// Time is passed in, so the logic is pure; thread-safe.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat::admin {

class AttemptThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limit {
    int burst = 10;
    int per_minute = 20;
  };

  AttemptThrottle(Limit limit, std::size_t max_keys);

  // Counts an attempt for `key` and returns nullopt, or refuses it (counting
  // nothing) and returns how long until the key may try again (at least 1 s).
  // When `max_keys` keys are all in use a new key is refused too: the attempt
  // waits rather than making room by forgetting someone's spent allowance.
  std::optional<std::chrono::seconds> admit(std::string_view key, Clock::time_point now);

  std::size_t keys() const;

 private:
  void forget_recovered(Clock::time_point now);

  Clock::duration interval_;   // one attempt's worth of time
  Clock::duration tolerance_;  // (burst - 1) intervals: how far ahead `spent` may run
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> spent_until_;
};

}  // namespace chat::admin
