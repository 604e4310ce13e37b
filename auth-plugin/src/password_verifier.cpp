#include "password_verifier.hpp"

#include "chat/credentials/password.hpp"

#include <openssl/crypto.h>
#include <pthread.h>

#include <exception>

namespace chat::auth {
namespace {

constexpr std::size_t kDefaultMaxEntries = 1024;

void cleanse(std::string& secret) noexcept {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

}  // namespace

PasswordVerifier::PasswordVerifier(std::size_t threads, std::size_t max_entries, Verify verify)
    : max_entries_(max_entries), verify_(std::move(verify)) {
  threads_.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  } catch (...) {
    stop();
    throw;
  }
  // The priorities are known once this returns (the plugin logs them at load).
  std::unique_lock lock(mutex_);
  started_.wait(lock, [this] { return workers_.size() == threads_.size(); });
}

PasswordVerifier::PasswordVerifier(std::size_t threads)
    : PasswordVerifier(threads, kDefaultMaxEntries, [](std::string_view password, std::string_view hash) {
        return credentials::verify_password(password, hash);
      }) {}

PasswordVerifier::~PasswordVerifier() { stop(); }

void PasswordVerifier::stop() noexcept {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    for (Job& job : queue_) cleanse(job.password);
    queue_.clear();
  }
  work_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  idle_.notify_all();
}

PasswordVerifier::Answer PasswordVerifier::collect(std::string_view username, std::string_view password) {
  const CredentialDigest key = digest_(username, password);
  const std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return {State::busy, 0};
  const auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  const Entry entry = it->second;
  if (entry.state == State::pending) return {State::pending, entry.uid};
  entries_.erase(it);
  return {entry.state, entry.uid};
}

void PasswordVerifier::drop_answers() {
  std::erase_if(entries_, [](const auto& item) { return item.second.state != State::pending; });
}

PasswordVerifier::Room PasswordVerifier::room() {
  const std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return Room::busy;
  if (entries_.size() >= max_entries_) drop_answers();
  return !stopping_ && entries_.size() < max_entries_ ? Room::free : Room::full;
}

bool PasswordVerifier::submit(std::string_view username, std::string_view password, std::string hash, Uid uid) {
  const CredentialDigest key = digest_(username, password);
  Job job{key, std::string(password), std::move(hash)};
  {
    const std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || stopping_) {
      cleanse(job.password);
      return false;
    }
    const auto it = entries_.find(key);
    if (it != entries_.end() && it->second.state == State::pending && !it->second.voided) {
      cleanse(job.password);
      return true;  // the same pair is being checked: its answer will do
    }
    if (it != entries_.end()) {
      // An older answer (not collected) or a voided check: a new check replaces it.
      if (it->second.state != State::pending) {
        entries_.erase(it);
      } else {
        cleanse(job.password);
        return false;  // a voided check of this pair still runs; try again once it ends
      }
    }
    if (entries_.size() >= max_entries_) drop_answers();
    if (entries_.size() >= max_entries_) {
      cleanse(job.password);
      return false;
    }
    entries_.emplace(key, Entry{uid, State::pending, false});
    queue_.push_back(std::move(job));
  }
  work_.notify_one();
  return true;
}

void PasswordVerifier::forget_user(Uid uid) {
  const std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.uid != uid) {
      ++it;
    } else if (it->second.state == State::pending) {
      it->second.voided = true;
      ++it;
    } else {
      it = entries_.erase(it);
    }
  }
}

void PasswordVerifier::forget_all() {
  const std::lock_guard lock(mutex_);
  drop_answers();
  for (auto& item : entries_) item.second.voided = true;
}

std::size_t PasswordVerifier::size() {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

bool PasswordVerifier::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return stopping_ || (queue_.empty() && running_ == 0); });
}

void PasswordVerifier::finish(const CredentialDigest& key, State state) {
  const std::lock_guard lock(mutex_);
  --running_;
  const auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (it->second.voided || state == State::none) {
      entries_.erase(it);
    } else {
      it->second.state = state;
    }
  }
  if (queue_.empty() && running_ == 0) idle_.notify_all();
}

std::vector<PasswordVerifier::Worker> PasswordVerifier::workers() {
  const std::lock_guard lock(mutex_);
  return workers_;
}

void PasswordVerifier::start_worker() noexcept {
  pthread_setname_np(pthread_self(), "chat-pwcheck");  // at most 15 characters; a name is only a help
  const Worker worker{calling_thread_id(), lower_calling_thread_priority()};
  {
    const std::lock_guard lock(mutex_);
    workers_.push_back(worker);
  }
  started_.notify_all();
}

void PasswordVerifier::run() noexcept {
  start_worker();
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    State state = State::none;  // a check that failed to run is forgotten: the retry files it again
    try {
      state = verify_(job.password, job.hash) ? State::verified : State::wrong;
    } catch (...) {
    }
    cleanse(job.password);
    finish(job.key, state);
  }
}

}  // namespace chat::auth
