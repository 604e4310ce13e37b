// The duplicate-key check of edge validation: right answers, and linear work
// (issue #13, item 1: a quadratic check let one user stall the broker).
#include "key_set.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace chat::auth {
namespace {

// "aaa", "aab", ...: distinct three-letter keys, as in the issue's payload.
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

// An object's first keys are compared directly, the rest hashed: a key given
// twice is found on either side of that switch, short keys and long ones,
// also in objects nested inside it and in many tiny sibling objects.
TEST(AuthKeySet, FindsDuplicatesBeforeAndAfterAnObjectOutgrowsItsFirstKeys) {
  KeySet keys;
  for (int size : {1, 7, 8, 9, 40}) {
    keys.clear();
    keys.open_object();
    for (int i = 0; i < size; ++i) {
      ASSERT_TRUE(keys.add(key_number(i))) << size << ": " << i;
      ASSERT_TRUE(keys.add("a long key of more than seven bytes " + key_number(i))) << size << ": " << i;
    }
    for (int i = 0; i < size; ++i) {
      EXPECT_FALSE(keys.add(key_number(i))) << size << ": short key " << i << " given twice";
      EXPECT_FALSE(keys.add("a long key of more than seven bytes " + key_number(i))) << size << ": long key " << i;
    }
    keys.open_object();
    EXPECT_TRUE(keys.add(key_number(0))) << "a nested object has keys of its own";
    keys.close_object();
    EXPECT_TRUE(keys.add(key_number(size))) << "a key the object does not hold yet";
  }
  keys.clear();
  for (int i = 0; i < 1000; ++i) {  // an array of tiny objects: none shares keys with another
    keys.open_object();
    ASSERT_TRUE(keys.add("a"));
    ASSERT_TRUE(keys.add("b"));
    ASSERT_FALSE(keys.add("a"));
    keys.close_object();
  }
  EXPECT_TRUE(keys.add("")) << "no object open: nothing to compare with";
  EXPECT_TRUE(keys.add(""));
}

// The open objects are held in a fixed array (nothing allocated per object):
// one past the contract's nesting limit is refused, not tracked wrongly.
TEST(AuthKeySet, RefusesToOpenMoreObjectsThanTheNestingLimit) {
  KeySet keys;
  keys.clear();
  for (std::size_t depth = 0; depth < KeySet::kMaxOpenObjects; ++depth) {
    ASSERT_TRUE(keys.open_object()) << depth;
    ASSERT_TRUE(keys.add("k"));
  }
  EXPECT_FALSE(keys.open_object());
  EXPECT_FALSE(keys.add("k")) << "still the innermost object that was opened";
  keys.close_object();
  EXPECT_FALSE(keys.add("k"));
  EXPECT_TRUE(keys.open_object()) << "room again after a close";
}

// A long key whose bytes share a prefix or a hash slot with others is told
// apart by its bytes, in small objects and hashed ones, and long keys never
// equal short ones.
TEST(AuthKeySet, LongKeysAreComparedByTheirBytes) {
  KeySet keys;
  for (int size : {3, 40}) {
    keys.clear();
    keys.open_object();
    for (int i = 0; i < size; ++i) ASSERT_TRUE(keys.add("prefix-of-a-long-key-" + key_number(i))) << i;
    EXPECT_TRUE(keys.add("prefix-of-a-long-key-")) << "a prefix of them is another key";
    EXPECT_TRUE(keys.add("prefix-")) << "so is a short key";
    EXPECT_FALSE(keys.add("prefix-of-a-long-key-" + key_number(size - 1)));
    EXPECT_FALSE(keys.add("prefix-of-a-long-key-"));
  }
}

// The payload check hands over keys where they stand in the payload, with
// the bytes after them readable, so that a short key is read in one load; the
// same key read piece by piece (from a copy, or at the payload's end) is the
// same key, whatever its length, in a small object and in a hashed one.
TEST(AuthKeySet, AKeyReadInOneLoadIsTheSameKeyReadPieceByPiece) {
  const std::string payload = R"(""a"ab"abc"abcd"abcde"abcdef"abcdefg"abcdefgh"...)";
  std::vector<std::string_view> in_payload;
  for (std::size_t start = 1, length = 0; length <= 8; start += length + 1, ++length) {
    in_payload.emplace_back(payload.data() + start, length);
  }
  KeySet keys;
  for (const int before : {0, 20}) {  // 20 keys first: the object is hashed
    keys.clear();
    keys.open_object();
    for (int i = 0; i < before; ++i) ASSERT_TRUE(keys.add("other key " + key_number(i)));
    for (const std::string_view key : in_payload) {
      const auto readable = static_cast<std::size_t>(payload.data() + payload.size() - key.data());
      ASSERT_TRUE(keys.add(key, readable)) << before << ": " << key;
      EXPECT_FALSE(keys.add(std::string(key))) << before << ": " << key << " copied";
      EXPECT_FALSE(keys.add(key, readable)) << before << ": " << key << " again";
    }
    EXPECT_TRUE(keys.add("abcdefgh-")) << "a key the object does not hold yet";
  }
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
