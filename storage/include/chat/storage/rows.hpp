#pragma once
// A statement's result: rows of text-format values with typed getters.
// Columns are read by name (`row.int64("id")`), so a query may reorder its
// select list without breaking its reader. A Row shares ownership of the
// result, so `auto row = conn.execute(...).one();` is safe.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace chat::storage {

namespace detail {
struct Result;  // owns the PGresult; defined privately so libpq stays out of public headers
}

class Row {
 public:
  bool is_null(std::string_view column) const;

  // Each getter throws DbError{internal} when the column is NULL (use the
  // optional_ variants for nullable columns) or does not hold that type, and
  // std::out_of_range when there is no such column.
  std::int64_t int64(std::string_view column) const;
  std::string text(std::string_view column) const;
  bool boolean(std::string_view column) const;

  std::optional<std::int64_t> optional_int64(std::string_view column) const;
  std::optional<std::string> optional_text(std::string_view column) const;

 private:
  friend class Rows;
  Row(std::shared_ptr<const detail::Result> result, int index) : result_(std::move(result)), index_(index) {}
  int column_index(std::string_view column) const;
  // The value's text, or nullopt for NULL.
  std::optional<std::string_view> raw(std::string_view column) const;
  std::string_view required(std::string_view column) const;

  std::shared_ptr<const detail::Result> result_;
  int index_;
};

class Rows {
 public:
  explicit Rows(std::shared_ptr<const detail::Result> result);

  std::size_t size() const noexcept;
  bool empty() const noexcept { return size() == 0; }
  Row operator[](std::size_t index) const;

  // The only row; throws DbError{internal} when there is not exactly one.
  Row one() const;
  // The first row, or nullopt when there is none; throws when there are several.
  std::optional<Row> at_most_one() const;

  // Rows written by INSERT/UPDATE/DELETE (PQcmdTuples), 0 for other statements.
  std::int64_t affected_rows() const;

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Row;
    using difference_type = std::ptrdiff_t;
    iterator(const Rows* rows, std::size_t index) : rows_(rows), index_(index) {}
    Row operator*() const { return (*rows_)[index_]; }
    iterator& operator++() {
      ++index_;
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    const Rows* rows_;
    std::size_t index_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  std::shared_ptr<const detail::Result> result_;
};

}  // namespace chat::storage
