#include "chat/storage/rows.hpp"

#include "chat/storage/errors.hpp"
#include "result.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace chat::storage {
namespace {

[[noreturn]] void bad_value(std::string_view column, std::string_view expected) {
  throw DbError(DbErrc::internal, "column \"" + std::string(column) + "\" does not hold " + std::string(expected));
}

std::int64_t parse_int64(std::string_view column, std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) bad_value(column, "a bigint");
  return value;
}

}  // namespace

int Row::column_index(std::string_view column) const {
  // PQfnumber wants a NUL-terminated name; column names are short.
  const int index = PQfnumber(result_->result.get(), std::string(column).c_str());
  if (index < 0) throw std::out_of_range("no column \"" + std::string(column) + "\" in the result");
  return index;
}

std::optional<std::string_view> Row::raw(std::string_view column) const {
  PGresult* result = result_->result.get();
  const int col = column_index(column);
  if (PQgetisnull(result, index_, col) != 0) return std::nullopt;
  return std::string_view(PQgetvalue(result, index_, col), static_cast<std::size_t>(PQgetlength(result, index_, col)));
}

std::string_view Row::required(std::string_view column) const {
  const auto value = raw(column);
  if (!value) throw DbError(DbErrc::internal, "column \"" + std::string(column) + "\" is NULL");
  return *value;
}

bool Row::is_null(std::string_view column) const { return !raw(column).has_value(); }

std::int64_t Row::int64(std::string_view column) const { return parse_int64(column, required(column)); }

std::string Row::text(std::string_view column) const { return std::string(required(column)); }

bool Row::boolean(std::string_view column) const {
  const std::string_view value = required(column);
  if (value == "t") return true;
  if (value == "f") return false;
  bad_value(column, "a boolean");
}

std::optional<std::int64_t> Row::optional_int64(std::string_view column) const {
  const auto value = raw(column);
  if (!value) return std::nullopt;
  return parse_int64(column, *value);
}

std::optional<std::string> Row::optional_text(std::string_view column) const {
  const auto value = raw(column);
  if (!value) return std::nullopt;
  return std::string(*value);
}

Rows::Rows(std::shared_ptr<const detail::Result> result) : result_(std::move(result)) {}

std::size_t Rows::size() const noexcept { return static_cast<std::size_t>(PQntuples(result_->result.get())); }

Row Rows::operator[](std::size_t index) const {
  if (index >= size()) throw std::out_of_range("row index out of range");
  return Row(result_, static_cast<int>(index));
}

Row Rows::one() const {
  if (size() != 1) {
    throw DbError(DbErrc::internal, "expected exactly one row, got " + std::to_string(size()));
  }
  return (*this)[0];
}

std::optional<Row> Rows::at_most_one() const {
  if (size() > 1) {
    throw DbError(DbErrc::internal, "expected at most one row, got " + std::to_string(size()));
  }
  if (empty()) return std::nullopt;
  return (*this)[0];
}

std::int64_t Rows::affected_rows() const {
  const std::string_view count = PQcmdTuples(result_->result.get());
  if (count.empty()) return 0;
  return parse_int64("(affected rows)", count);
}

}  // namespace chat::storage
