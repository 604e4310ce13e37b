// chat-payload-cost: what the edge validation costs the broker thread for
// hostile payloads of the contract's size (64 KiB), each against the plain
// 64 KiB text message (issue #13, item 1: none may cost much more than ~2x).
// Prints, per payload, the best of N runs and its ratio to the plain message.
// With a payload's row number (0 = the plain message), runs only that one:
// for counting instructions, which a busy machine does not skew
// (docs/auth-plugin.md, "Cost of any payload"):
//
//   build/release/bin/chat-payload-cost [runs] [row]
//   valgrind --tool=callgrind --toggle-collect='chat::auth::PayloadChecker::*' chat-payload-cost 10 1
#include "payload.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

using chat::auth::PayloadChecker;
constexpr std::size_t kSize = 65536;

std::string three_letters(int n) {
  std::string key(3, 'a');
  for (int k = 2; k >= 0; --k, n /= 26) key[static_cast<std::size_t>(k)] = static_cast<char>('a' + n % 26);
  return key;
}

// `head` + repeated `item(i)` + `tail`, as many items as fit in kSize.
std::string fill(const std::string& head, const std::function<std::string(int)>& item, const std::string& tail) {
  std::string out = head;
  for (int i = 0;; ++i) {
    const std::string next = (i == 0 ? "" : ",") + item(i);
    if (out.size() + next.size() + tail.size() > kSize) break;
    out += next;
  }
  return out + tail;
}

// A text message whose text repeats `unit` to the full size.
std::string text_of(const std::string& unit) {
  std::string text;
  while (text.size() + unit.size() < kSize - 40) text += unit;
  return R"({"id":"t1","type":"text","text":")" + text + "\"}";
}

struct Sample {
  const char* name;
  std::string payload;
  bool receipt = false;
};

std::vector<Sample> samples() {
  const std::string msg = R"({"id":"h1","type":"text","text":"x",)";
  return {
      {"plain text message (baseline)", text_of("x")},
      {"8k distinct 3-letter keys", fill(
                                        msg + "\"k\":{", [](int i) { return "\"" + three_letters(i) + "\":0"; }, "}}")},
      {"8k keys, one duplicate at the end",
       fill(
           msg + "\"k\":{", [](int i) { return "\"" + three_letters(i) + "\":0"; }, ",\"aaa\":0}}")},
      {"5k tiny objects in an array", fill(
                                          msg + "\"k\":[", [](int) { return std::string("{\"a\":1}"); }, "]}")},
      {"30k zeros in an array", fill(
                                    msg + "\"k\":[", [](int) { return std::string("0"); }, "]}")},
      {"21k empty objects in an array", fill(
                                            msg + "\"k\":[", [](int) { return std::string("{}"); }, "]}")},
      {"21k empty arrays in an array", fill(
                                           msg + "\"k\":[", [](int) { return std::string("[]"); }, "]}")},
      {"16k empty strings", fill(
                                msg + "\"k\":[", [](int) { return std::string("\"\""); }, "]}")},
      {"text of \\u00e9 escapes", text_of("\\u00e9")},
      {"text of 4-byte UTF-8", text_of("\xF0\x9F\x98\x80")},
      {"nesting 16 deep, repeated",
       fill(
           msg + "\"k\":[", [](int) { return std::string(14, '[') + std::string(14, ']'); }, "]}")},
      {"nesting 17 deep (refused)", std::string(17, '[') + std::string(17, ']')},
      {"receipt, 2k refs (over 1000: refused)",
       fill(
           "{\"type\":\"read\",\"refs\":[", [](int i) { return "{\"id\":\"m" + std::to_string(i) + "\",\"from\":7}"; },
           "]}"),
       true},
  };
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  const int only = argc > 2 ? std::atoi(argv[2]) : -1;
  PayloadChecker checker;
  double baseline_ns = 0;
  std::printf("%-36s %8s %10s %7s  %s\n", "payload", "bytes", "best µs", "ratio", "verdict");
  int row = -1;
  for (const Sample& s : samples()) {
    if (++row != only && only >= 0) continue;
    double best = 1e18;
    bool ok = false;
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      ok = s.receipt ? checker.receipt(s.payload, false).ok() : checker.message(s.payload).ok();
      best = std::min(best, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
    }
    if (baseline_ns == 0) baseline_ns = best;
    std::printf("%-36s %8zu %10.1f %7.2f  %s\n", s.name, s.payload.size(), best / 1000, best / baseline_ns,
                ok ? "accepted" : "refused");
  }
  return 0;
}
