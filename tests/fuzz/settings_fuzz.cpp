// The settings grammar of chat-bridge, chat-gateway and chat-admin
// (chat/settings/settings.hpp): config files, command lines and byte sizes.
//
// Input: first line the key of a whole-number setting, the rest both a config
// file's text and, split at newlines, a command line whose --config names it.
#include "chat/settings/settings.hpp"
#include "fuzz_input.hpp"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [head, body] = chat::fuzz::split_first_line(data, size);
  const std::string text(body);

  const chat::settings::SetOption set = [&](const std::string& key, const std::string& value) -> std::string {
    int number = 0;
    auto error = chat::settings::parse_int_setting(chat::settings::normalize_key(key), value, -1000, 1000, number);
    if (error.empty()) chat::fuzz::require(number >= -1000 && number <= 1000);
    return error;
  };
  chat::settings::apply_key_value_lines(text, set);

  std::vector<std::string> args;
  std::string::size_type start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    args.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  chat::settings::Sources sources;
  sources.read_file = [&](const std::string&) -> std::optional<std::string> { return text; };
  sources.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  bool help = false;
  chat::settings::apply_command_line(
      args, sources, [&](const std::string& file) { return chat::settings::apply_key_value_lines(file, set); }, set,
      help);

  // A byte size that parses is spelled back exactly.
  if (const auto bytes = chat::settings::parse_byte_size(text)) {
    chat::fuzz::require(chat::settings::parse_byte_size(chat::settings::format_byte_size(*bytes)) == bytes);
  }

  int value = 0;
  const std::string key(head);
  if (chat::settings::parse_int_setting(key, text, 1, 65535, value).empty()) {
    chat::fuzz::require(value >= 1 && value <= 65535);
  }
  return 0;
}
