#pragma once
// The scenarios of chat-loadgen, each wiring the core (histogram, tracker,
// outbox, population) to MQTT. Each returns an exit code (options.hpp) and
// fills the report.
#include "chat/loadgen/options.hpp"
#include "chat/loadgen/report.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace chat::loadgen {

// Microseconds since the Unix epoch (CLOCK_REALTIME: the payload's clock).
std::uint64_t now_us();

// platform: what run_platform made in the database for the run.
struct PlatformSetup {
  // uid -> (username, token) to sign in with; empty: anonymous clients.
  std::map<std::uint64_t, std::pair<std::string, std::string>> credentials;
  // false: only the sign-in is the platform's (the auth plugin without the bridge): acks are
  // PUBACKs and deliveries, as in plain mode.
  bool bridge_acks = true;
};

// --token-secret-file with plain or connect-storm: tokens for the users (uid_base ..), usernames
// `lg{uid}`. The auth plugin checks a token without the database, so
// the users need no rows (direct messages only: groups need members in the database).
PlatformSetup token_sign_in(const Options& options);

// plain, and fanout --plain (one sender, one group); with `platform`, the same
// traffic through the platform: acks are the bridge's `ack` events.
int run_messaging(const Options& options, Report& report, const PlatformSetup* platform = nullptr);
// platform: users and groups in the database, run_messaging, a database check.
int run_platform(const Options& options, Report& report);
// connect-storm --plain: K anonymous clients connect at once.
int run_connect_storm(const Options& options, Report& report);
// sync --plain: a persistent session catches up on what the broker queued.
int run_sync(const Options& options, Report& report);
// sync: a device catches up through the bridge's chat.list and sync requests.
int run_sync_platform(const Options& options, Report& report);

}  // namespace chat::loadgen
