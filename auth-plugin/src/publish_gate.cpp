#include "publish_gate.hpp"

namespace chat::auth {

PublishGate::PublishGate(const Options& options, const MembershipView& members, Stats& stats)
    : options_(options), members_(members), stats_(stats) {}

PublishGate::UserLimits& PublishGate::limits_of(Uid uid, std::int64_t now_ns) {
  auto it = users_.find(uid);
  if (it == users_.end()) {
    it = users_
             .emplace(uid, UserLimits{TokenBucket(options_.publish_rate_per_s, options_.publish_burst, now_ns),
                                      TokenBucket(options_.publish_rate_per_s, options_.publish_burst, now_ns)})
             .first;
  }
  return it->second;
}

WriteVerdict PublishGate::refuse(Uid uid, std::int64_t now_ns, Rejection error, std::string_view topic,
                                 std::optional<std::string> id, std::string_view detail, std::string_view payload) {
  WriteVerdict verdict;
  verdict.error = error;
  switch (error) {
    case Rejection::forbidden:
      ++stats_.denied_write;
      break;
    case Rejection::bad_request:
      ++stats_.rejected_bad_request;
      break;
    case Rejection::too_large:
      ++stats_.rejected_too_large;
      break;
    case Rejection::rate_limited:
      ++stats_.rejected_rate_limited;
      break;
    case Rejection::none:
      break;
  }
  if (limits_of(uid, now_ns).nacks.try_take(now_ns)) {
    // Refused before its payload was read: the message's id still helps the
    // client to tell which of its messages failed. Read only for a nack sent.
    if (!id && !payload.empty() && classify_topic(topic).channel == Channel::msg) {
      id = leading_message_id(payload);
    }
    verdict.nack = make_nack(id, topic, error, detail);
    ++stats_.nacks_sent;
  } else {
    ++stats_.nacks_suppressed;
  }
  return verdict;
}

WriteVerdict PublishGate::check(const Principal& who, std::string_view topic, std::string_view payload, bool retain,
                                std::int64_t now_ns) {
  if (who.role == Principal::Role::service) return WriteVerdict{true, Rejection::none, {}};
  const AclResult acl = check_access(who, Access::write, topic, members_);
  if (!acl.allowed) {
    return refuse(who.uid, now_ns, Rejection::forbidden, topic, std::nullopt, "not allowed to publish to this topic",
                  payload);
  }
  if (retain) {
    return refuse(who.uid, now_ns, Rejection::forbidden, topic, std::nullopt, "users may not publish retained messages",
                  payload);
  }
  if (!limits_of(who.uid, now_ns).publishes.try_take(now_ns)) {
    return refuse(who.uid, now_ns, Rejection::rate_limited, topic, std::nullopt,
                  "more than the allowed publishes per second; slow down", payload);
  }
  PayloadCheck payload_check = checker_.publish(acl.topic, payload, options_.max_payload_bytes);
  if (!payload_check.ok()) {
    return refuse(who.uid, now_ns, payload_check.error, topic, std::move(payload_check.message_id),
                  payload_check.detail, {});
  }
  return WriteVerdict{true, Rejection::none, {}};
}

void PublishGate::prune(std::int64_t now_ns, std::int64_t idle_ns) {
  std::erase_if(users_, [&](auto& entry) {
    return entry.second.publishes.idle(now_ns, idle_ns) && entry.second.nacks.idle(now_ns, idle_ns);
  });
}

}  // namespace chat::auth
