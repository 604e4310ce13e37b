// One grapheme (UAX #29 extended clusters) as a user sees one character.
#include "chat/unicode/grapheme.hpp"

#include <gtest/gtest.h>

namespace chat::unicode {
namespace {

TEST(Grapheme, OneAsAUserSeesIt) {
  for (const char* one :
       {"a", "é", "e\xCC\x81", "👍", "👍🏽", "❤️", "👨‍👩‍👧", "🇫🇷", "🏳️‍🌈", "字", "각"}) {
    EXPECT_TRUE(is_one_grapheme(one)) << one;
  }
}

TEST(Grapheme, MoreThanOneOrNone) {
  for (const char* many : {"", "ab", "👍👍", "🇫🇷🇩🇪", "a👍", " 👍", "👍 "}) {
    EXPECT_FALSE(is_one_grapheme(many)) << many;
  }
}

}  // namespace
}  // namespace chat::unicode
