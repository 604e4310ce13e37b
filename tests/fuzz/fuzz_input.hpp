#pragma once
// Splitting one libFuzzer input into the pieces a target needs, the same way
// in every target so that corpus files stay readable: the first line (up to
// '\n') is a header a target may read (a topic, a size, flags), the rest is
// the body.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chat::fuzz {

struct Split {
  std::string_view head;
  std::string_view body;
};

inline Split split_first_line(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const auto newline = all.find('\n');
  if (newline == std::string_view::npos) return {all, {}};
  return {all.substr(0, newline), all.substr(newline + 1)};
}

// Stops the run with a crash the fuzzer reports, for invariants that the
// sanitizers cannot see (a "partial" range past the end, ...).
[[noreturn]] inline void invariant_broken() { __builtin_trap(); }

inline void require(bool holds) {
  if (!holds) invariant_broken();
}

}  // namespace chat::fuzz
