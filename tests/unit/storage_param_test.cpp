// chat::storage's statement parameters: scalars as text, NULLs, no NUL byte
// ever truncating a value, arrays in PostgreSQL's binary format.
#include "chat/storage/binary_array.hpp"
#include "chat/storage/errors.hpp"
#include "chat/storage/param.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::storage {
namespace {

TEST(Param, ConvertsScalarsToText) {
  EXPECT_STREQ(Param(std::int64_t{-42}).c_str(), "-42");
  EXPECT_STREQ(Param(7).c_str(), "7");
  EXPECT_STREQ(Param(true).c_str(), "true");
  EXPECT_STREQ(Param(false).c_str(), "false");
  EXPECT_STREQ(Param("text").c_str(), "text");
  EXPECT_STREQ(Param(std::string("s")).c_str(), "s");
  EXPECT_STREQ(Param(std::string_view("")).c_str(), "");
}

TEST(Param, NulloptAndEmptyOptionalsAreNull) {
  EXPECT_TRUE(Param(std::nullopt).is_null());
  EXPECT_EQ(Param(std::nullopt).c_str(), nullptr);
  EXPECT_TRUE(Param(std::optional<std::string>{}).is_null());
  EXPECT_TRUE(Param(std::optional<std::int64_t>{}).is_null());
  EXPECT_STREQ(Param(std::optional<std::int64_t>{5}).c_str(), "5");
  EXPECT_FALSE(Param(std::optional<std::string>{""}).is_null());
}

TEST(Param, RefusesNulBytesInsteadOfTruncating) {
  const std::string with_nul("ab\0cd", 5);
  try {
    Param param(with_nul);
    FAIL() << "a NUL byte was accepted";
  } catch (const DbError& error) {
    EXPECT_EQ(error.code(), DbErrc::invalid_input);
  }
  const std::vector<std::string> items{"ok", with_nul};
  EXPECT_THROW(Param::text_array(items), DbError);
}

// Array parameters travel in the binary format now (binary_array.hpp).
TEST(Param, ArraysAreOneBinaryParameter) {
  const std::vector<std::int64_t> ids{3, 1};
  const Param int_param = Param::int64_array(ids);
  EXPECT_EQ(std::string(int_param.c_str(), static_cast<std::size_t>(int_param.length())), int8_binary_array(ids));
  const std::vector<std::string> texts{"a b", "c"};
  const Param text_param = Param::text_array(texts);
  EXPECT_EQ(std::string(text_param.c_str(), static_cast<std::size_t>(text_param.length())), text_binary_array(texts));
}

}  // namespace
}  // namespace chat::storage
