#pragma once
// Payloads and topic pieces the hostile tests send, shared by the files that
// split one attack's cases from its single tests.
#include "hostile_stack.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

namespace chat::hostile {

inline std::string uid(const StackUser& user) { return user.uid(); }

// A well-formed text message with this id.
inline std::string text_message(const std::string& id) {
  return nlohmann::json{{"id", id}, {"type", "text"}, {"text", "pay me"}}.dump();
}

// A text message whose text is `raw_text` spliced in as is (escapes, invalid
// UTF-8 and all): the JSON writer would repair what the test means to send.
inline std::string text_with(const std::string& raw_text, const std::string& id = "c1") {
  return R"({"id":")" + id + R"(","type":"text","text":")" + raw_text + R"("})";
}

// A message with arrays nested `depth` deep.
inline std::string nested(int depth) {
  return R"({"id":"deep","type":"text","text":"x","n":)" + std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']') + "}";
}

}  // namespace chat::hostile
