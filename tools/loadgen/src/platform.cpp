// platform: the plain traffic through the whole platform (auth plugin +
// bridge + PostgreSQL). The run's users and groups are created in the
// database first (new users, so the run's chats hold only the run's
// messages), each client signs in with a token, a message counts as acked
// when the bridge's `ack` event arrives on u/{uid}/ev (stored and committed),
// and at the end the database is checked: every message stored exactly once,
// seqs gapless in every chat of the run.
#include "chat/credentials/token.hpp"
#include "chat/loadgen/message.hpp"
#include "chat/loadgen/population.hpp"
#include "chat/loadgen/shape.hpp"
#include "chat/storage/store.hpp"
#include "scenarios.hpp"
#include "token_secret.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace chat::loadgen {
namespace {

// Counts over the run's senders (uid range): messages, distinct client ids,
// and the chats whose last_seq differs from their number of messages.
constexpr storage::Statement kCheckRun{"loadgen.check_run", R"sql(
SELECT count(*) AS stored,
       count(DISTINCT (m.sender_id, m.client_msg_id)) AS distinct_ids,
       (SELECT count(*) FROM chats c
        WHERE c.id IN (SELECT DISTINCT chat_id FROM messages WHERE sender_id BETWEEN $1::bigint AND $2::bigint)
          AND c.last_seq <> (SELECT count(*) FROM messages x WHERE x.chat_id = c.id)) AS gapped_chats
FROM messages m
WHERE m.sender_id BETWEEN $1::bigint AND $2::bigint)sql"};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

PlatformSetup token_sign_in(const Options& o) {
  PlatformSetup setup;
  setup.bridge_acks = false;
  const std::string secret = read_token_secret(o.token_secret_file);
  const auto expires = now_s() + 24 * 3600;
  auto add = [&](std::uint64_t uid) {
    const std::string username = "lg" + std::to_string(uid);
    setup.credentials[uid] = {
        username, credentials::mint_token(secret, static_cast<std::int64_t>(uid), username, now_s() - 5, expires)};
  };
  const auto users = traffic_of(o).population.users;
  for (std::uint64_t i = 0; i < users; ++i) add(o.uid_base + i);
  return setup;
}

int run_platform(const Options& given, Report& report) {
  Options o = given;
  if (o.database_url.empty()) o.database_url = env("CHAT_DATABASE_URL").value_or("");
  if (o.token_secret_file.empty()) o.token_secret_file = env("CHAT_TOKEN_SECRET_FILE").value_or("");
  if (o.database_url.empty()) {
    std::cerr << "chat-loadgen: --mode platform needs --database-url (or CHAT_DATABASE_URL)\n";
    return kExitUsage;
  }
  storage::Store store(o.database_url);
  if (!store.schema_status().up_to_date()) {
    std::cerr << "chat-loadgen: the database's schema is not up to date (run chat-migrate)\n";
    return kExitFailed;
  }

  // Users: new ones, consecutive ids (the population numbers them from uid_base).
  const std::string tag = make_run_tag(now_us());
  std::vector<storage::User> users;
  const Traffic traffic = traffic_of(o);
  for (std::uint32_t i = 0; i < traffic.population.users; ++i) {
    storage::NewUser u;
    u.username = "lg" + tag + "_" + std::to_string(i);
    u.display_name = u.username;
    users.push_back(store.users().create(u));
    if (i > 0 && users[i].id != users[i - 1].id + 1) {
      std::cerr << "chat-loadgen: user ids are not consecutive (another writer?); run again\n";
      return kExitFailed;
    }
  }
  o.uid_base = static_cast<std::uint64_t>(users.front().id);

  // Groups, in chat id order (the population numbers them from chat_base).
  std::optional<storage::ChatId> first_chat;
  storage::ChatId previous = 0;
  {
    PopulationShape shape = traffic.population;
    shape.uid_base = o.uid_base;
    const Population pop(shape);
    for (std::uint32_t g = 0; g < pop.groups(); ++g) {
      const auto& members = pop.members(g);
      std::vector<storage::UserId> others;
      for (std::size_t j = 1; j < members.size(); ++j)
        others.push_back(static_cast<storage::UserId>(pop.uid(members[j])));
      const auto chat =
          store.chats().create_group(static_cast<storage::UserId>(pop.uid(members.front())), "lg " + tag, others);
      if (first_chat && chat.id != previous + 1) {
        std::cerr << "chat-loadgen: group ids are not consecutive (another writer?); run again\n";
        return kExitFailed;
      }
      if (!first_chat) first_chat = chat.id;
      previous = chat.id;
    }
  }
  if (first_chat) o.chat_base = static_cast<std::uint64_t>(*first_chat);

  PlatformSetup setup;
  if (!o.token_secret_file.empty()) {
    const std::string secret = read_token_secret(o.token_secret_file);
    for (const auto& u : users) {
      setup.credentials[static_cast<std::uint64_t>(u.id)] = {
          u.username, credentials::mint_token(secret, u.id, u.username, now_s() - 5, now_s() + 24 * 3600)};
    }
  }
  report.param("database", "users " + std::to_string(users.front().id) + ".." + std::to_string(users.back().id));

  const int rc = run_messaging(o, report, &setup);
  if (rc == kExitFailed) return rc;

  // The record: every acked message stored once, seqs gapless.
  const auto first_uid = users.front().id;
  const auto last_uid = users.back().id;
  storage::Row row = store.connection().execute(kCheckRun, first_uid, last_uid).one();
  const auto stored = row.int64("stored");
  const auto distinct = row.int64("distinct_ids");
  const auto sent = static_cast<std::int64_t>(report.value("sent"));
  report.figure("db_stored", static_cast<double>(stored), "msg", "messages in the database");
  report.figure("db_lost", static_cast<double>(std::max<std::int64_t>(sent - distinct, 0)), "msg",
                "messages sent but not in the database");
  report.figure("db_duplicates", static_cast<double>(stored - distinct), "msg", "messages stored twice");
  report.figure("db_gapped_chats", static_cast<double>(row.int64("gapped_chats")), "", "chats whose seqs have gaps");
  report.note("platform: \"ack\" is the bridge's `ack` event (the message is committed in PostgreSQL)");
  if (o.strict && (sent != distinct || stored != distinct || row.int64("gapped_chats") != 0)) return kExitLossOrDup;
  return rc;
}

}  // namespace chat::loadgen
