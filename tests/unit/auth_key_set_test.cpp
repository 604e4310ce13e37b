// The duplicate-key check of edge validation: right answers, and linear work
// (issue #13, item 1: a quadratic check let one user stall the broker).
#include "key_set.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chat::auth {
namespace {

// "aaa", "aab", ...: distinct three-letter keys, as in the payload.
std::string key_number(int n) {
  std::string key(3, 'a');
  for (int i = 2; i >= 0; --i, n /= 26) key[static_cast<std::size_t>(i)] = static_cast<char>('a' + n % 26);
  return key;
}

TEST(AuthKeySet, FindsAKeyGivenTwiceInOneObjectOnly) {
  KeySet keys;
  keys.clear();
  keys.open_object();
  EXPECT_TRUE(keys.add("id"));
  EXPECT_TRUE(keys.add("type"));
  keys.open_object();
  EXPECT_TRUE(keys.add("id")) << "the same key in a nested object is another key";
  EXPECT_FALSE(keys.add("id"));
  keys.close_object();
  keys.open_object();
  EXPECT_TRUE(keys.add("id")) << "and in a sibling object";
  keys.close_object();
  EXPECT_FALSE(keys.add("type"));
  EXPECT_TRUE(keys.add("typ"));
  EXPECT_TRUE(keys.add("")) << "the empty key is a key";
  EXPECT_FALSE(keys.add(""));
  EXPECT_TRUE(keys.add("a long key of more than eight bytes"));
  EXPECT_FALSE(keys.add("a long key of more than eight bytes"));
  EXPECT_TRUE(keys.add("a long key of more than eight byteS"));
  keys.clear();
  keys.open_object();
  EXPECT_TRUE(keys.add("id")) << "a new document starts empty";
}

TEST(AuthKeySet, WorkGrowsLinearlyWithTheNumberOfKeys) {
  // 8 100 distinct keys in one object (the issue's ~64 KiB payload): comparing
  // each with every earlier one would take ~33 million steps.
  constexpr int kKeys = 8100;
  KeySet keys;
  for (int round = 0; round < 3; ++round) {  // and again once warm
    keys.clear();
    keys.open_object();
    for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(keys.add(key_number(i)));
    EXPECT_LT(keys.probes(), 3u * kKeys) << "round " << round;
    EXPECT_FALSE(keys.add(key_number(4711)));
  }
}

}  // namespace
}  // namespace chat::auth
