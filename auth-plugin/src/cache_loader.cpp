#include "cache_loader.hpp"

#include "chat/storage/errors.hpp"
#include "chat/storage/store.hpp"

#include <algorithm>
#include <exception>
#include <optional>

namespace chat::auth {
namespace {

constexpr std::chrono::milliseconds kPollInterval{200};
constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kMaxRetry{5000};

}  // namespace

CacheLoader::CacheLoader(std::string conninfo, AuthCache& cache, Mailbox& mailbox)
    : conninfo_(std::move(conninfo)), cache_(cache), mailbox_(mailbox) {}

CacheLoader::~CacheLoader() { stop(); }

void CacheLoader::start() {
  thread_ = std::thread([this] { run(); });
}

void CacheLoader::stop() noexcept {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_flag_.store(true);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool CacheLoader::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [this] { return stopping_ || cache_.ready(); });
  return cache_.ready();
}

void CacheLoader::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void CacheLoader::run() noexcept {
  auto retry = kFirstRetry;
  bool reported = false;  // one warning per outage, not one per attempt
  while (!stop_flag_.load()) {
    bool loaded = false;
    try {
      session(loaded);
    } catch (const std::exception& error) {
      if (loaded) reported = false;  // a new outage after a good session
      if (!reported) {
        try {
          mailbox_.post({MailItem::Kind::log_warning, 0,
                         std::string("chat-auth: membership cache has no database session (") + error.what() +
                             "); retrying, answers come from the last loaded state meanwhile"});
        } catch (...) {
        }
        reported = true;
      }
    } catch (...) {
    }
    connected_.store(false);
    if (stop_flag_.load()) break;
    if (loaded) retry = kFirstRetry;
    pause(retry);
    retry = std::min(retry * 2, kMaxRetry);
  }
  connected_.store(false);
}

void CacheLoader::session(bool& loaded) {
  storage::Store store(conninfo_);
  store.auth().listen_for_changes();
  const storage::AuthSnapshot snapshot = store.auth().load_snapshot();
  const auto newly_refused = cache_.load(snapshot);
  if (snapshots_.load() > 0) {
    // A reload: whatever was announced while this thread had no session was
    // not heard. The snapshot has the new state; what the broker thread keeps
    // besides it must catch up too (issue #13, item 8).
    mailbox_.post({MailItem::Kind::forget_all_passwords, 0, {}});
    for (const auto& user : newly_refused) mailbox_.post({MailItem::Kind::refuse_user, user.id, user.username});
  }
  loaded = true;
  snapshots_.fetch_add(1);
  connected_.store(true);
  {
    const std::lock_guard lock(mutex_);  // wait_ready() may be between its check and its wait
  }
  wake_.notify_all();
  {
    const auto counts = cache_.counts();
    mailbox_.post({MailItem::Kind::log_info, 0,
                   "chat-auth: membership cache loaded: " + std::to_string(counts.groups) + " groups, " +
                       std::to_string(counts.memberships) + " memberships, " + std::to_string(counts.refused_users) +
                       " users refused, " + std::to_string(counts.blocks) + " blocks"});
  }
  while (!stop_flag_.load()) {
    const auto notes = store.auth().wait_for_notifications(kPollInterval);
    if (notes.empty()) continue;
    std::vector<AuthCache::Update> updates;
    std::vector<MailItem> mail;
    updates.reserve(notes.size());
    for (const auto& note : notes) {
      if (note.channel != storage::kAuthChangesChannel) continue;
      auto change = parse_auth_change(note.payload);
      if (!change) {
        mail.push_back({MailItem::Kind::log_warning, 0,
                        "chat-auth: ignored an unknown change notification: " + note.payload.substr(0, 100)});
        continue;
      }
      AuthCache::Update update{std::move(*change), {}};
      const AuthChange& c = update.change;
      if (c.kind == AuthChange::Kind::group_restored) update.members = store.auth().live_group_members(c.chat);
      if (c.kind == AuthChange::Kind::password_changed || c.kind == AuthChange::Kind::user_refused ||
          c.kind == AuthChange::Kind::tokens_revoked) {
        mail.push_back({MailItem::Kind::forget_password, c.uid, c.username});
      }
      if (c.kind == AuthChange::Kind::user_refused) {
        mail.push_back({MailItem::Kind::refuse_user, c.uid, c.username});
      }
      if (c.kind == AuthChange::Kind::password_changed || c.kind == AuthChange::Kind::tokens_revoked) {
        mail.push_back({MailItem::Kind::end_sessions, c.uid, c.username});
      }
      updates.push_back(std::move(update));
    }
    // The cache first: a kicked user reconnecting at once must find itself refused.
    cache_.apply(updates);
    changes_.fetch_add(updates.size());
    for (auto& item : mail) mailbox_.post(std::move(item));
  }
}

}  // namespace chat::auth
