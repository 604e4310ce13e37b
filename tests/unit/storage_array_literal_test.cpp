// PostgreSQL array literals ({1,-2} and {"a","b"}): every element quoted,
// NULL told from the word and from the empty string.
#include "chat/storage/array_literal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::storage {
namespace {

std::string text_literal(std::initializer_list<std::optional<std::string_view>> values) {
  const std::vector<std::optional<std::string_view>> items(values);
  return text_array_literal(items);
}

TEST(ArrayLiteral, Int64sAreDecimalsIncludingExtremes) {
  const std::vector<std::int64_t> values{1, -2, 0, std::numeric_limits<std::int64_t>::max(),
                                         std::numeric_limits<std::int64_t>::min()};
  EXPECT_EQ(int64_array_literal(values), "{1,-2,0,9223372036854775807,-9223372036854775808}");
  EXPECT_EQ(int64_array_literal({}), "{}");
}

TEST(ArrayLiteral, QuotesEveryElement) {
  EXPECT_EQ(text_literal({"a", "b"}), R"({"a","b"})");
  EXPECT_EQ(text_literal({}), "{}");
}

TEST(ArrayLiteral, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(text_literal({R"(say "hi")"}), R"({"say \"hi\""})");
  EXPECT_EQ(text_literal({R"(C:\path\)"}), R"({"C:\\path\\"})");
  EXPECT_EQ(text_literal({R"(\")"}), R"({"\\\""})");
}

TEST(ArrayLiteral, KeepsSeparatorsAndBracesInsideQuotes) {
  EXPECT_EQ(text_literal({"a,b", "{c}", " padded "}), R"({"a,b","{c}"," padded "})");
}

TEST(ArrayLiteral, TellsNullFromTheWordNullAndTheEmptyString) {
  EXPECT_EQ(text_literal({std::nullopt, "NULL", ""}), R"({NULL,"NULL",""})");
}

TEST(ArrayLiteral, PassesUtf8Through) {
  EXPECT_EQ(text_literal({"привет", "👋", "日本"}), "{\"привет\",\"👋\",\"日本\"}");
}

TEST(ArrayLiteral, SqlLookingTextIsJustText) {
  EXPECT_EQ(text_literal({"'; DROP TABLE users; --"}), R"({"'; DROP TABLE users; --"})");
}

TEST(ArrayLiteral, AllOverloadsAgree) {
  const std::vector<std::string> strings{"x\"y", ""};
  const std::vector<std::string_view> views{"x\"y", ""};
  EXPECT_EQ(text_array_literal(strings), R"({"x\"y",""})");
  EXPECT_EQ(text_array_literal(views), R"({"x\"y",""})");
}

}  // namespace
}  // namespace chat::storage
