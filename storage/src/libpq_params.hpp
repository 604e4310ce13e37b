#pragma once
// A statement's parameters as libpq's parallel arrays (values, lengths,
// formats), for PQexecParams/PQexecPrepared and their pipeline variants.
#include "chat/storage/param.hpp"

#include <span>
#include <vector>

namespace chat::storage::detail {

class LibpqParams {
 public:
  explicit LibpqParams(std::span<const Param> params) {
    values_.reserve(params.size());
    lengths_.reserve(params.size());
    formats_.reserve(params.size());
    for (const Param& param : params) {
      values_.push_back(param.c_str());
      lengths_.push_back(param.length());
      formats_.push_back(param.format());
    }
  }

  int count() const noexcept { return static_cast<int>(values_.size()); }
  const char* const* values() const noexcept { return values_.data(); }
  const int* lengths() const noexcept { return lengths_.data(); }
  const int* formats() const noexcept { return formats_.data(); }

 private:
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace chat::storage::detail
