#include "chat/settings/settings.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

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

std::optional<std::uint64_t> parse_byte_size(const std::string& text) {
  const std::string trimmed = trim(text);
  std::uint64_t number = 0;
  const char* begin = trimmed.data();
  const char* end = trimmed.data() + trimmed.size();
  const auto [stop, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || stop == begin || number == 0) return std::nullopt;
  std::string unit = trim(std::string_view(stop, static_cast<std::size_t>(end - stop)));
  for (char& c : unit) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  int shift = 0;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "K" || unit == "KB" || unit == "KIB") {
    shift = 10;
  } else if (unit == "M" || unit == "MB" || unit == "MIB") {
    shift = 20;
  } else if (unit == "G" || unit == "GB" || unit == "GIB") {
    shift = 30;
  } else {
    return std::nullopt;
  }
  if (shift > 0 && number > (UINT64_MAX >> shift)) return std::nullopt;
  return number << shift;
}

std::string format_byte_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  for (const auto& [shift, unit] : {std::pair{30, "GiB"}, std::pair{20, "MiB"}, std::pair{10, "KiB"}}) {
    const std::uint64_t step = std::uint64_t{1} << shift;
    if (bytes % step == 0) return std::to_string(bytes / step) + unit;
  }
  return std::to_string(bytes);
}

std::string parse_byte_size_setting(const std::string& key, const std::string& value, std::uint64_t min,
                                    std::uint64_t& out) {
  const auto size = parse_byte_size(value);
  if (!size || *size < min) {
    return key + ": \"" + value + "\" is not a size of at least " + std::to_string(min) + " bytes";
  }
  out = *size;
  return {};
}

std::string parse_bool_setting(const std::string& key, const std::string& value, bool& out) {
  if (value == "true" || value == "1" || value == "yes") {
    out = true;
  } else if (value == "false" || value == "0" || value == "no") {
    out = false;
  } else {
    return key + ": \"" + value + "\" is not true or false";
  }
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
