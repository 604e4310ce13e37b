#pragma once
// The one exception type of the data layer, and the small, closed set of
// failure kinds a caller can act on. SQLSTATEs are classified here so that no
// caller ever compares five-character codes.
#include <stdexcept>
#include <string>
#include <string_view>

namespace chat::storage {

enum class DbErrc {
  unique_violation,        // 23505: e.g. username or phone taken; constraint() names which
  foreign_key_violation,   // 23503: a referenced user or chat does not exist
  check_violation,         // 23514: a value breaks a format rule of the schema
  not_null_violation,      // 23502
  invalid_input,           // class 22 (bad text for a type, too long, bad encoding), or refused
                           // before reaching the server (NUL byte, bad conninfo, bad argument)
  serialization_conflict,  // 40001, 40P01: the transaction lost a race; retryable
  connection_lost,         // class 08, 57P01-57P03, or a dead connection without SQLSTATE;
                           // nothing of the failed statement's transaction was committed; retryable
  commit_in_doubt,         // the connection died during COMMIT: the transaction may or may not
                           // have committed. Only idempotent work may simply run again.
  undefined_object,        // 42P01, 42703, 42704, 42883: the schema is older than the code
  internal,                // everything else: a bug, a misconfiguration, a resource limit
};

std::string_view to_string(DbErrc code) noexcept;

// Maps a SQLSTATE (five characters, as PG_DIAG_SQLSTATE gives it) to its kind.
// Unknown or malformed codes are `internal`.
DbErrc classify_sqlstate(std::string_view sqlstate) noexcept;

// True for failures where running the same transaction again is the right answer.
bool is_retryable(DbErrc code) noexcept;

class DbError : public std::runtime_error {
 public:
  DbError(DbErrc code, const std::string& message, std::string sqlstate = {}, std::string constraint = {});

  DbErrc code() const noexcept { return code_; }
  // Empty when the error did not come from the server (e.g. the connection died).
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  // The violated constraint's name (PG_DIAG_CONSTRAINT_NAME), empty when none;
  // chat/storage/constraints.hpp names the ones callers match on.
  const std::string& constraint() const noexcept { return constraint_; }
  bool retryable() const noexcept { return is_retryable(code_); }

 private:
  DbErrc code_;
  std::string sqlstate_;
  std::string constraint_;
};

}  // namespace chat::storage
