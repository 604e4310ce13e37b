#pragma once
// A program's settings as one table: each key names a field of its Config
// (a string, an int with bounds, a byte size or a flag) and a line of help. Setting a key and
// printing the usage go through the table, so every program (chat-bridge,
// chat-gateway, chat-admin) reads and documents its keys the same way.
#include "chat/settings/settings.hpp"

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::settings {

template <class Config>
struct IntOption {
  int Config::*field;
  int min;
  int max;
};

// A byte size ("10MiB", settings::parse_byte_size) of at least `min`.
template <class Config>
struct SizeOption {
  std::uint64_t Config::*field;
  std::uint64_t min;
};

// true/1/yes or false/0/no.
template <class Config>
struct BoolOption {
  bool Config::*field;
};

template <class Config>
struct Option {
  const char* key;
  std::variant<std::string Config::*, IntOption<Config>, SizeOption<Config>, BoolOption<Config>> target;
  const char* help;
};

// Sets `raw_key` (flags may spell '_' as '-') to `value`; an error text, or
// empty when it was set.
template <class Config>
std::string set_option(std::span<const Option<Config>> table, Config& config, const std::string& raw_key,
                       const std::string& value) {
  const std::string key = normalize_key(raw_key);
  for (const Option<Config>& option : table) {
    if (key != option.key) continue;
    if (const auto* field = std::get_if<std::string Config::*>(&option.target)) {
      config.*(*field) = value;
      return {};
    }
    if (const auto* size = std::get_if<SizeOption<Config>>(&option.target)) {
      return parse_byte_size_setting(key, value, size->min, config.*(size->field));
    }
    if (const auto* flag = std::get_if<BoolOption<Config>>(&option.target)) {
      return parse_bool_setting(key, value, config.*(flag->field));
    }
    const auto& int_option = std::get<IntOption<Config>>(option.target);
    return parse_int_setting(key, value, int_option.min, int_option.max, config.*(int_option.field));
  }
  return "unknown option \"" + raw_key + "\"";
}

// One line per key: the key padded to `key_width`, its help, and the default
// (a default-constructed Config's value; empty strings are not shown).
template <class Config>
void print_options(std::ostream& out, std::span<const Option<Config>> table, std::size_t key_width) {
  const Config defaults;
  for (const Option<Config>& option : table) {
    out << "  " << option.key;
    for (std::size_t n = std::string_view(option.key).size(); n < key_width; ++n) out << ' ';
    out << option.help;
    if (const auto* field = std::get_if<std::string Config::*>(&option.target)) {
      if (!(defaults.*(*field)).empty()) out << " [" << defaults.*(*field) << "]";
    } else if (const auto* size = std::get_if<SizeOption<Config>>(&option.target)) {
      out << " [" << format_byte_size(defaults.*(size->field)) << "]";
    } else if (const auto* flag = std::get_if<BoolOption<Config>>(&option.target)) {
      out << " [" << (defaults.*(flag->field) ? "true" : "false") << "]";
    } else {
      out << " [" << defaults.*(std::get<IntOption<Config>>(option.target).field) << "]";
    }
    out << '\n';
  }
}

// What every program's load_config does once its environment is applied to
// `result.config`: the command line onto it (the config file it names read by
// `apply_text`, key = value lines when the program gives none; each flag set
// by `set`), then `check` on the outcome unless that was --help or an error.
template <class Config>
void load_command_line(LoadResult<Config>& result, const std::vector<std::string>& args, const Sources& sources,
                       std::string (*set)(Config&, const std::string& key, const std::string& value),
                       std::string (*check)(const Config&),
                       std::string (*apply_text)(Config&, const std::string& text) = nullptr) {
  Config& config = result.config;
  const SetOption set_in_config = [&](const std::string& key, const std::string& value) {
    return set(config, key, value);
  };
  const ApplyText apply_file = [&](const std::string& text) {
    return apply_text != nullptr ? apply_text(config, text) : apply_key_value_lines(text, set_in_config);
  };
  result.error = apply_command_line(args, sources, apply_file, set_in_config, result.help);
  if (result.error.empty() && !result.help) result.error = check(config);
}

}  // namespace chat::settings
