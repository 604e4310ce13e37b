#pragma once
// Password verifications (PBKDF2-SHA512, ~0.13 s of a core each at the
// default cost) on threads of their own, never on the broker's only thread
// (issue #13, item 14 and the flood of wrong passwords). The threads run at
// the lowest CPU priority the OS has (thread_priority.hpp): they only take
// CPU that the services leave idle.
//
// The broker thread only files a check (submit) and later picks up its answer
// (collect), each under a short mutex that a worker holds only to move a job
// or an answer, never while it verifies. The broker thread never waits for
// that mutex: a worker at idle priority preempted while holding it may not
// run again for as long as the machine is busy, so a broker-side call that
// finds it held answers "busy" (the client is told to try again).
//
// A CONNECT whose password is not verified yet is told to try again; the
// client's retry collects the answer.
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
#include "thread_priority.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/types.h>

#include <thread>
#include <vector>

namespace chat::auth {

class PasswordVerifier {
 public:
  // (password, stored hash) -> whether they match. May throw: the check is
  // then forgotten and the client's next try files it again.
  using Verify = std::function<bool(std::string_view password, std::string_view hash)>;

  // Starts `threads` workers and returns once each has lowered its priority.
  // Throws std::runtime_error when no random key can be drawn or
  // std::system_error when a thread cannot be started.
  PasswordVerifier(std::size_t threads, std::size_t max_entries, Verify verify);
  explicit PasswordVerifier(std::size_t threads);  // credentials::verify_password, 1024 entries
  ~PasswordVerifier();                             // stops and joins
  PasswordVerifier(const PasswordVerifier&) = delete;
  PasswordVerifier& operator=(const PasswordVerifier&) = delete;

  // busy: the mutex was held by a worker; nothing was looked at.
  enum class State { none, pending, verified, wrong, busy };
  struct Answer {
    State state = State::none;
    Uid uid = 0;  // the user the check was filed for
  };
  // The answer for (username, password): a finished one is handed out once
  // and forgotten; `pending` while the check is queued or running; `none`
  // when no check was filed (or it was voided or dropped). Never waits for a
  // worker: `busy` when one holds the mutex.
  Answer collect(std::string_view username, std::string_view password);
  // Whether submit would take a new check now: `full` when the queue and its
  // answers are at their bound, `busy` when a worker holds the mutex (the
  // caller never waits for it).
  enum class Room { free, full, busy };
  Room room();
  // Files a check of `password` against `hash` for `uid`; true when it is
  // queued or the same pair's check already is. False when full or busy.
  bool submit(std::string_view username, std::string_view password, std::string hash, Uid uid);
  // Voids every answer and every check under way of `uid` / of everyone.
  // These wait for the mutex: they must not be lost, and they are rare (a
  // password change, a reload).
  void forget_user(Uid uid);
  void forget_all();

  // Checks queued or running, answers waiting to be collected.
  std::size_t size();
  // Waits until no check is queued or running (tests, a clean stop).
  bool wait_idle(std::chrono::milliseconds timeout);
  void stop() noexcept;

  // Each worker's kernel thread id and the priority it got (operators' log
  // line, tests). The threads are named "chat-pwcheck".
  struct Worker {
    pid_t tid = 0;
    ThreadPriority priority = ThreadPriority::unchanged;
  };
  std::vector<Worker> workers();

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
  friend struct PasswordVerifierTestAccess;  // holds mutex_ as a preempted worker would
  void run() noexcept;
  void start_worker() noexcept;  // names the thread, lowers its priority, reports to the constructor
  void finish(const CredentialDigest& key, State state);
  void drop_answers();  // under mutex_

  const std::size_t max_entries_;
  const Verify verify_;
  const CredentialDigester digest_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::condition_variable started_;
  std::vector<Worker> workers_;  // one per worker that has started
  std::map<CredentialDigest, Entry> entries_;
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once everything above exists
};

}  // namespace chat::auth
