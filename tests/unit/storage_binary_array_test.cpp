// Binary array parameters (binary_array.hpp): the exact bytes array_recv
// reads. Their round trip through a real server is covered by every storage
// integration suite (all array parameters use them).
#include "chat/storage/binary_array.hpp"
#include "chat/storage/errors.hpp"
#include "chat/storage/param.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace chat::storage {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values) out += static_cast<char>(v);
  return out;
}

TEST(BinaryArray, Int8ElementsAreBigEndianWithTheirLengths) {
  const std::vector<std::int64_t> values{1, -2};
  const std::string expected = bytes({0, 0, 0, 1, 0,  0,  0,  0,  0,  0,  0,  20, 0, 0, 0, 2, 0, 0, 0, 1,  // header
                                      0, 0, 0, 8, 0,  0,  0,  0,  0,  0,  0,  1,                           // 1
                                      0, 0, 0, 8, -1, -1, -1, -1, -1, -1, -1, -2});                        // -2
  EXPECT_EQ(int8_binary_array(values), expected);
}

TEST(BinaryArray, AnEmptyArrayHasNoDimension) {
  EXPECT_EQ(int8_binary_array({}), bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20}));
  EXPECT_EQ(text_binary_array(std::vector<std::string>{}), bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25}));
}

TEST(BinaryArray, TextElementsAreTheirBytesUnquoted) {
  const std::vector<std::string_view> values{"a\"b,{}", "", "é"};
  const std::string expected = bytes({0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 3, 0, 0, 0, 1}) +
                               bytes({0, 0, 0, 6}) + "a\"b,{}" + bytes({0, 0, 0, 0}) + bytes({0, 0, 0, 2}) + "é";
  EXPECT_EQ(text_binary_array(values), expected);
}

TEST(BinaryArray, ArrayParamsAreBinaryAndRefuseNul) {
  const std::vector<std::int64_t> ids{7};
  const Param param = Param::int64_array(ids);
  EXPECT_EQ(param.format(), 1);
  EXPECT_EQ(param.length(), 32);
  EXPECT_EQ(Param("text").format(), 0);
  const std::vector<std::string> texts{std::string("a\0b", 3)};
  EXPECT_THROW(Param::text_array(texts), DbError);
}

}  // namespace
}  // namespace chat::storage
