#pragma once
// Password verifications (PBKDF2-SHA512, ~0.2-0.4 s of CPU each at the
// default cost) on threads of their own, never on the broker's only thread
// (issue #13, item 14 and the flood of wrong passwords).
//
// The broker thread only files a check (submit) and later picks up its answer
// (collect), each under a short mutex that a worker holds only to move a job
// or an answer, never while it verifies. A CONNECT whose password is not
// verified yet is told to try again; the client's retry collects the answer.
// Checks and answers are keyed by the (username, password) digest, so a
// client retrying, or a flood repeating one guess, files one check, not
// many. At most `max_entries` checks and unclaimed answers are kept; when
// full, unclaimed answers are dropped (their clients' next try checks again)
// and then submit says no. What may be submitted at all is bounded by the
// caller's PBKDF2 budget (signin.hpp).
//
// A password change or a disabled user voids that user's answers and the
// checks under way (forget_user): a check against the old hash can never
// admit anyone after the change. Nothing here touches mosquitto.
#include "credential_digest.hpp"
#include "identity.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace chat::auth {

class PasswordVerifier {
 public:
  // (password, stored hash) -> whether they match. May throw: the check is
  // then forgotten and the client's next try files it again.
  using Verify = std::function<bool(std::string_view password, std::string_view hash)>;

  // Starts `threads` workers. Throws std::runtime_error when no random key can
  // be drawn or std::system_error when a thread cannot be started.
  PasswordVerifier(std::size_t threads, std::size_t max_entries, Verify verify);
  explicit PasswordVerifier(std::size_t threads);  // credentials::verify_password, 1024 entries
  ~PasswordVerifier();                             // stops and joins
  PasswordVerifier(const PasswordVerifier&) = delete;
  PasswordVerifier& operator=(const PasswordVerifier&) = delete;

  enum class State { none, pending, verified, wrong };
  struct Answer {
    State state = State::none;
    Uid uid = 0;  // the user the check was filed for
  };
  // The answer for (username, password): a finished one is handed out once
  // and forgotten; `pending` while the check is queued or running; `none`
  // when no check was filed (or it was voided or dropped).
  Answer collect(std::string_view username, std::string_view password);
  // Whether submit would take a new check now.
  bool has_room();
  // Files a check of `password` against `hash` for `uid`; true when it is
  // queued or the same pair's check already is. False when full.
  bool submit(std::string_view username, std::string_view password, std::string hash, Uid uid);
  // Voids every answer and every check under way of `uid` / of everyone.
  void forget_user(Uid uid);
  void forget_all();

  // Checks queued or running, answers waiting to be collected.
  std::size_t size();
  // Waits until no check is queued or running (tests, a clean stop).
  bool wait_idle(std::chrono::milliseconds timeout);
  void stop() noexcept;

 private:
  struct Entry {
    Uid uid = 0;
    State state = State::pending;
    bool voided = false;  // forgotten while its check ran: dropped when it ends
  };
  struct Job {
    CredentialDigest key{};
    std::string password;
    std::string hash;
  };
  void run() noexcept;
  void finish(const CredentialDigest& key, State state);
  void drop_answers();  // under mutex_

  const std::size_t max_entries_;
  const Verify verify_;
  const CredentialDigester digest_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::map<CredentialDigest, Entry> entries_;
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once everything above exists
};

}  // namespace chat::auth
