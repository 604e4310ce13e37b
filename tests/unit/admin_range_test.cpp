// Range requests (chat/admin/range.hpp), RFC 9110 section 14.
#include "chat/admin/range.hpp"

#include <gtest/gtest.h>

namespace chat::admin {
namespace {

using Kind = RangeRequest::Kind;

TEST(AdminRange, SatisfiableRanges) {
  RangeRequest r = parse_range("bytes=0-99", 1000);
  ASSERT_EQ(r.kind, Kind::partial);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 99u);
  EXPECT_EQ(r.range.length(), 100u);
  EXPECT_EQ(content_range(r.range, 1000), "bytes 0-99/1000");

  r = parse_range("bytes=500-", 1000);
  EXPECT_EQ(r.range.first, 500u);
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("bytes=-100", 1000);
  EXPECT_EQ(r.range.first, 900u);
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("bytes=-5000", 1000);  // more than there is: all of it
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("bytes=900-5000", 1000);  // clamped to the end
  EXPECT_EQ(r.range.last, 999u);
  r = parse_range("Bytes = 1-1", 1000);
  EXPECT_EQ(r.kind, Kind::partial);
  EXPECT_EQ(r.range.length(), 1u);
  r = parse_range("bytes=999-999", 1000);
  EXPECT_EQ(r.kind, Kind::partial);
}

TEST(AdminRange, UnsatisfiableRanges) {
  EXPECT_EQ(parse_range("bytes=1000-", 1000).kind, Kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=1000-2000", 1000).kind, Kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 1000).kind, Kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, Kind::unsatisfiable);
  EXPECT_EQ(unsatisfied_content_range(1000), "bytes */1000");
}

TEST(AdminRange, WhatMayBeIgnoredIsIgnored) {
  for (const char* ignored : {"", "bytes", "bytes=", "bytes=-", "items=0-1", "bytes=0-1,5-6", "bytes=abc", "bytes=5-1",
                              "bytes=1-x", "bytes=+1-2", "bytes=99999999999999999999-", "bytes= 1 2-3"}) {
    EXPECT_EQ(parse_range(ignored, 1000).kind, Kind::whole) << ignored;
  }
}

}  // namespace
}  // namespace chat::admin
