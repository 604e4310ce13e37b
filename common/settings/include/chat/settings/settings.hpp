#pragma once
// The grammar of settings shared by the platform's programs:
//
//   program [--config FILE] [--KEY VALUE | --KEY=VALUE]...
//
// The config file is read first, then the flags, so flags win; the program
// applies its environment before both. Keys may use '-' for '_'. A config
// file holds `key = value` lines with `#` comments (a program may accept
// other formats on top, e.g. the bridge's JSON object).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chat::settings {

// Where settings come from besides the command line: injectable for tests.
struct Sources {
  // The text of a file, nullopt when it cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
  // An environment variable, nullopt when unset.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
};

// The running process's sources: files from the file system, variables from
// its environment (the programs' main; tests pass their own).
Sources process_sources();

// What a program's load_config returns.
template <class Config>
struct LoadResult {
  Config config;
  std::string error;  // empty on success
  bool help = false;
};

// Sets one setting; returns an error text (naming the key) or empty.
using SetOption = std::function<std::string(const std::string& key, const std::string& value)>;
// Applies the text of a config file; returns an error text or empty.
using ApplyText = std::function<std::string(const std::string& text)>;

// "max-payload_bytes" -> "max_payload_bytes".
std::string normalize_key(std::string key);

// Without leading and trailing blanks (space, tab, CR).
std::string trim(std::string_view text);

// A whole decimal integer within [min, max] into `out`; an error text naming
// the key, or empty (then `out` is set).
std::string parse_int_setting(const std::string& key, const std::string& value, int min, int max, int& out);

// `key = value` lines, `#` comments and blank lines skipped; set() for each.
// The first error as "line N: ...", or empty.
std::string apply_key_value_lines(const std::string& text, const SetOption& set);

// args without argv[0]: --help, the config file, then every other flag in
// order through set(). Sets `help` or returns the first error (empty: done).
std::string apply_command_line(const std::vector<std::string>& args, const Sources& sources,
                               const ApplyText& apply_text, const SetOption& set, bool& help);

}  // namespace chat::settings
