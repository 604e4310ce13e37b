#include "chat/settings/settings.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace chat::settings {

Sources process_sources() {
  return Sources{[](const std::string& path) -> std::optional<std::string> {
                   std::ifstream in(path);
                   if (!in) return std::nullopt;
                   std::stringstream text;
                   text << in.rdbuf();
                   return text.str();
                 },
                 [](const std::string& name) -> std::optional<std::string> {
                   const char* value = std::getenv(name.c_str());
                   if (value == nullptr) return std::nullopt;
                   return std::string(value);
                 }};
}

std::string normalize_key(std::string key) {
  for (char& c : key) {
    if (c == '-') c = '_';
  }
  return key;
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string parse_int_setting(const std::string& key, const std::string& value, int min, int max, int& out) {
  int parsed = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    return key + ": \"" + value + "\" is not an integer";
  }
  if (parsed < min || parsed > max) {
    return key + ": " + value + " is outside " + std::to_string(min) + ".." + std::to_string(max);
  }
  out = parsed;
  return {};
}

std::string apply_key_value_lines(const std::string& text, const SetOption& set) {
  std::istringstream in(text);
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    const auto equals = trimmed.find('=');
    if (equals == std::string::npos) return "line " + std::to_string(line_number) + ": expected key = value";
    const std::string key = trim(std::string_view(trimmed).substr(0, equals));
    const std::string value = trim(std::string_view(trimmed).substr(equals + 1));
    if (auto error = set(key, value); !error.empty()) return "line " + std::to_string(line_number) + ": " + error;
  }
  return {};
}

std::string apply_command_line(const std::vector<std::string>& args, const Sources& sources,
                               const ApplyText& apply_text, const SetOption& set, bool& help) {
  help = false;
  // Flags as (key, value) pairs: the config file goes first, wherever --config stands.
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return {};
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) return "unexpected argument \"" + arg + "\"";
    std::string key;
    std::string value;
    if (const auto equals = arg.find('='); equals != std::string::npos) {
      key = arg.substr(2, equals - 2);
      value = arg.substr(equals + 1);
    } else {
      if (i + 1 >= args.size()) return arg + " needs a value";
      key = arg.substr(2);
      value = args[++i];
    }
    if (normalize_key(key) == "config") {
      config_path = value;
    } else {
      flags.emplace_back(key, value);
    }
  }
  if (!config_path.empty()) {
    const auto text = sources.read_file ? sources.read_file(config_path) : std::nullopt;
    if (!text) return "cannot read the config file " + config_path;
    if (auto error = apply_text(*text); !error.empty()) return config_path + ": " + error;
  }
  for (const auto& [key, value] : flags) {
    if (auto error = set(key, value); !error.empty()) return error;
  }
  return {};
}

}  // namespace chat::settings
