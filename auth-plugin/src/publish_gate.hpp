#pragma once
// Everything a user's publish must pass before the broker delivers it, in
// order: the ACL's write rule (and no retained publishes), the user's rate
// limit, the size limit and the payload rules of its channel. A refused publish is answered with a nack for
// u/{uid}/ev (docs/protocol.md, section 3), within a per-user nack budget so
// that a flood of bad publishes cannot make the broker flood back. Pure: the
// caller supplies the time and sends the nack.
#include "acl.hpp"
#include "options.hpp"
#include "payload.hpp"
#include "stats.hpp"
#include "token_bucket.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat::auth {

struct WriteVerdict {
  bool allowed = false;
  Rejection error = Rejection::none;
  std::string nack;  // the event to send to the publisher; empty: send nothing
};

class PublishGate {
 public:
  PublishGate(const Options& options, const MembershipView& members, Stats& stats);

  // `retain`: the publish asks the broker to keep it. Users may not: only the
  // bridge keeps anything (presence), and retained messages would let a user
  // fill the broker's store for good.
  WriteVerdict check(const Principal& who, std::string_view topic, std::string_view payload, bool retain,
                     std::int64_t now_ns);

  // Forgets users whose buckets are full and unused for `idle_ns`.
  void prune(std::int64_t now_ns, std::int64_t idle_ns);
  std::size_t tracked_users() const { return users_.size(); }

 private:
  struct UserLimits {
    TokenBucket publishes;
    TokenBucket nacks;
  };
  UserLimits& limits_of(Uid uid, std::int64_t now_ns);
  WriteVerdict refuse(Uid uid, std::int64_t now_ns, Rejection error, std::string_view topic,
                      std::optional<std::string> id, std::string_view detail, std::string_view payload);

  const Options& options_;
  const MembershipView& members_;
  Stats& stats_;
  std::unordered_map<Uid, UserLimits> users_;
  PayloadChecker checker_;
};

}  // namespace chat::auth
