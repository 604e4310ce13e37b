#include "options.hpp"

#include "chat/credentials/password.hpp"
#include "chat/credentials/token.hpp"
#include "identity.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <thread>

namespace chat::auth {
namespace {

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

class Parser {
 public:
  Parser(const std::vector<std::pair<std::string, std::string>>& raw, const FileReader& read_file)
      : read_file_(read_file) {
    static const std::set<std::string, std::less<>> known = {"db_conninfo",
                                                             "db_conninfo_file",
                                                             "db_statement_timeout_ms",
                                                             "db_connect_timeout_s",
                                                             "startup_wait_ms",
                                                             "jwt_secret_file",
                                                             "service_username",
                                                             "service_password_hash",
                                                             "password_cache_ttl_s",
                                                             "password_cache_size",
                                                             "password_checks_per_s",
                                                             "password_checks_burst",
                                                             "password_checks_per_user_per_min",
                                                             "password_checks_per_user_burst",
                                                             "password_check_threads",
                                                             "password_lookups_per_s",
                                                             "password_lookups_burst",
                                                             "max_token_lifetime_s",
                                                             "max_payload_bytes",
                                                             "publish_rate_per_s",
                                                             "publish_burst",
                                                             "stats_interval_s",
                                                             "stats_topic",
                                                             "kick_disabled_users"};
    for (const auto& [key, value] : raw) {
      if (known.count(key) == 0) {
        error("unknown option plugin_opt_" + key);
        continue;
      }
      if (!values_.emplace(key, trim(value)).second) error("plugin_opt_" + key + " is given more than once");
    }
  }

  std::optional<std::string> text(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

  template <class T>
  void integer(const std::string& key, T& out, T min, T max) {
    const auto value = text(key);
    if (!value) return;
    long long parsed = 0;
    const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
    if (ec != std::errc{} || end != value->data() + value->size() || parsed < static_cast<long long>(min) ||
        parsed > static_cast<long long>(max)) {
      error("plugin_opt_" + key + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
            ", not \"" + *value + "\"");
      return;
    }
    out = static_cast<T>(parsed);
  }

  void number(const std::string& key, double& out, double min, double max) {
    const auto value = text(key);
    if (!value) return;
    double parsed = 0;
    const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), parsed);
    if (ec != std::errc{} || end != value->data() + value->size() || !std::isfinite(parsed) || parsed < min ||
        parsed > max) {
      error("plugin_opt_" + key + " must be a number from " + format(min) + " to " + format(max) + ", not \"" + *value +
            "\"");
      return;
    }
    out = parsed;
  }

  void boolean(const std::string& key, bool& out) {
    const auto value = text(key);
    if (!value) return;
    if (*value == "true") {
      out = true;
    } else if (*value == "false") {
      out = false;
    } else {
      error("plugin_opt_" + key + " must be true or false, not \"" + *value + "\"");
    }
  }

  std::optional<std::string> file(const std::string& key) {
    const auto path = text(key);
    if (!path) return std::nullopt;
    std::string problem;
    auto content = read_file_(*path, problem);
    if (!content) error("plugin_opt_" + key + ": " + (problem.empty() ? "cannot read " + *path : problem));
    return content;
  }

  void error(std::string message) { errors_.push_back(std::move(message)); }
  std::vector<std::string>& errors() { return errors_; }

 private:
  static std::string format(double value) {
    std::string text = std::to_string(value);
    while (text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.')) {
      const bool dot = text.back() == '.';
      text.pop_back();
      if (dot) break;
    }
    return text;
  }

  const FileReader& read_file_;
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> errors_;
};

bool is_uri(std::string_view conninfo) {
  return conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://");
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

std::string quote_value(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace

int default_password_check_threads() noexcept {
  const unsigned cores = std::thread::hardware_concurrency();  // 0 when unknown
  return static_cast<int>(std::clamp(cores, 1U, static_cast<unsigned>(kMaxPasswordCheckThreads)));
}

std::string append_conninfo_params(std::string_view conninfo,
                                   const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out(conninfo);
  if (is_uri(conninfo)) {
    bool has_query = out.find('?') != std::string::npos;
    for (const auto& [key, value] : params) {
      out += has_query ? '&' : '?';
      has_query = true;
      out += key + "=" + percent_encode(value);
    }
  } else {
    for (const auto& [key, value] : params) out += " " + key + "=" + quote_value(value);
  }
  return out;
}

OptionsResult parse_options(const std::vector<std::pair<std::string, std::string>>& raw, const FileReader& read_file) {
  Parser p(raw, read_file);
  Options o;

  // Database
  const auto inline_conninfo = p.text("db_conninfo");
  const bool conninfo_file = p.text("db_conninfo_file").has_value();
  if (inline_conninfo && conninfo_file) {
    p.error("give one of plugin_opt_db_conninfo and plugin_opt_db_conninfo_file, not both");
  } else if (inline_conninfo) {
    o.db_conninfo = *inline_conninfo;
  } else if (conninfo_file) {
    if (auto content = p.file("db_conninfo_file")) o.db_conninfo = trim(*content);
  } else {
    p.error("plugin_opt_db_conninfo or plugin_opt_db_conninfo_file is required");
  }
  long long statement_timeout_ms = o.db_statement_timeout.count();
  p.integer("db_statement_timeout_ms", statement_timeout_ms, 10LL, 60000LL);
  o.db_statement_timeout = std::chrono::milliseconds(statement_timeout_ms);
  p.integer("db_connect_timeout_s", o.db_connect_timeout_s, 2, 60);
  long long startup_wait_ms = o.startup_wait.count();
  p.integer("startup_wait_ms", startup_wait_ms, 0LL, 60000LL);
  o.startup_wait = std::chrono::milliseconds(startup_wait_ms);

  // Tokens
  if (!p.text("jwt_secret_file")) {
    p.error("plugin_opt_jwt_secret_file is required");
  } else if (auto secret = p.file("jwt_secret_file")) {
    if (secret->size() < credentials::kMinTokenSecretBytes) {
      p.error("plugin_opt_jwt_secret_file: the secret must have at least " +
              std::to_string(credentials::kMinTokenSecretBytes) + " bytes (openssl rand -hex 32)");
    } else {
      o.jwt_secret = std::move(*secret);
    }
  }

  // Service account
  if (const auto name = p.text("service_username")) {
    if (!is_safe_identifier(*name) || name->size() > 64 || name->find(':') != std::string::npos) {
      p.error("plugin_opt_service_username must be 1-64 characters without + # / : or control characters");
    } else if (canonical_username(*name)) {
      p.error(
          "plugin_opt_service_username must not be a possible user name (^[a-z0-9_.]{3,32}$): "
          "use a character users cannot have, e.g. \"svc-bridge\"");
    } else {
      o.service_username = *name;
    }
  } else {
    p.error("plugin_opt_service_username is required");
  }
  if (const auto hash = p.text("service_password_hash")) {
    if (!credentials::parse_password_hash(*hash)) {
      p.error(
          "plugin_opt_service_password_hash must be a $pbkdf2-sha512$i=...$salt$hash string "
          "(chat-credentials hash-password)");
    } else {
      o.service_password_hash = *hash;
    }
  } else {
    p.error("plugin_opt_service_password_hash is required");
  }

  // Password sign-in
  long long ttl_s = o.password_cache_ttl.count();
  p.integer("password_cache_ttl_s", ttl_s, 0LL, 7LL * 86400);
  o.password_cache_ttl = std::chrono::seconds(ttl_s);
  p.integer("password_cache_size", o.password_cache_size, std::size_t{0}, std::size_t{10000000});
  p.number("password_checks_per_s", o.password_checks_per_s, 0.01, 1000);
  p.number("password_checks_burst", o.password_checks_burst, 1, 1000);
  p.number("password_checks_per_user_per_min", o.password_checks_per_user_per_min, 0.1, 60000);
  p.number("password_checks_per_user_burst", o.password_checks_per_user_burst, 1, 1000);
  p.integer("password_check_threads", o.password_check_threads, 1, kMaxPasswordCheckThreads);
  p.number("password_lookups_per_s", o.password_lookups_per_s, 1, 100000);
  p.number("password_lookups_burst", o.password_lookups_burst, 1, 100000);
  p.integer("max_token_lifetime_s", o.max_token_lifetime_s, std::int64_t{60}, std::int64_t{366} * 86400);

  // Publishing
  p.integer("max_payload_bytes", o.max_payload_bytes, std::size_t{64}, std::size_t{131072});
  p.number("publish_rate_per_s", o.publish_rate_per_s, 0.01, 1e6);
  p.number("publish_burst", o.publish_burst, 1, 1e6);

  // Operations
  long long stats_s = o.stats_interval.count();
  p.integer("stats_interval_s", stats_s, 0LL, 86400LL);
  o.stats_interval = std::chrono::seconds(stats_s);
  if (const auto topic = p.text("stats_topic")) {
    const std::string root = topic->substr(0, topic->find('/'));
    if (topic->empty() || topic->find_first_of("+#") != std::string::npos) {
      p.error("plugin_opt_stats_topic must be a topic without wildcards");
    } else if (root == "dm" || root == "g" || root == "u" || root == "presence" || root == "req" || root == "st") {
      p.error("plugin_opt_stats_topic must lie outside the contract's topics (users read some of them)");
    } else {
      o.stats_topic = *topic;
    }
  }
  p.boolean("kick_disabled_users", o.kick_disabled_users);

  OptionsResult result;
  result.errors = std::move(p.errors());
  if (result.errors.empty()) result.options = std::move(o);
  return result;
}

}  // namespace chat::auth
