#pragma once
// The `search` request (docs/protocol.md, "Conversation features", "Search"):
// its op, argument and result names, and its bounds.
#include <cstddef>
#include <string_view>

namespace chat::protocol::search {

inline constexpr std::string_view kOp = "search";

// Arguments.
inline constexpr std::string_view kQuery = "q";
inline constexpr std::string_view kChat = "chat";
inline constexpr std::string_view kBefore = "before";
inline constexpr std::string_view kLimit = "limit";

// Result: {"hits":[{"chat","seq","from","ts","snippet"}…], "more", "next"}.
inline constexpr std::string_view kHits = "hits";
inline constexpr std::string_view kMore = "more";
inline constexpr std::string_view kNext = "next";
inline constexpr std::string_view kHitChat = "chat";
inline constexpr std::string_view kHitSeq = "seq";
inline constexpr std::string_view kHitFrom = "from";
inline constexpr std::string_view kHitTs = "ts";
inline constexpr std::string_view kHitSnippet = "snippet";

inline constexpr std::size_t kMaxQueryChars = 100;  // `q`, in code points
inline constexpr int kDefaultLimit = 20;
inline constexpr int kMaxLimit = 50;
// A snippet: the match with up to this many characters either side of it,
// "…" where the text was cut (at most 2 * 40 + 100 + 2 characters).
inline constexpr std::size_t kSnippetContextChars = 40;

}  // namespace chat::protocol::search
