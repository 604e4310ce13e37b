#pragma once
// The grammar of settings shared by the platform's programs:
//
//   program [--config FILE] [--KEY VALUE | --KEY=VALUE]...
//
// The config file is read first, then the flags, so flags win; the program
// applies its environment before both. Keys may use '-' for '_'. A config
// file holds `key = value` lines with `#` comments (a program may accept
// other formats on top, e.g. the bridge's JSON object).
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
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

// What every program's main() does with its LoadResult: on --help the usage
// to `out` (exit code 0), on an error the error and a pointer to --help to
// `err` (exit code 2); nullopt when the program goes on.
template <class Config>
std::optional<int> help_or_error(const LoadResult<Config>& loaded, std::string_view program,
                                 const std::function<std::string()>& usage, std::ostream& out, std::ostream& err) {
  if (loaded.help) {
    out << usage();
    return 0;
  }
  if (!loaded.error.empty()) {
    err << program << ": " << loaded.error << "\n(see " << program << " --help)\n";
    return 2;
  }
  return std::nullopt;
}

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

// "65536", "512KiB", "10 MiB", "1GiB" (also K/M/G and KB/MB/GB, all
// binary); nullopt for anything else, zero or overflow.
std::optional<std::uint64_t> parse_byte_size(const std::string& text);
// The shortest exact spelling parse_byte_size reads back: "10MiB", "1536KiB", "7".
std::string format_byte_size(std::uint64_t bytes);
// A byte size of at least `min` into `out`; an error text naming the key, or empty.
std::string parse_byte_size_setting(const std::string& key, const std::string& value, std::uint64_t min,
                                    std::uint64_t& out);
// true/1/yes or false/0/no into `out`; an error text naming the key, or empty.
std::string parse_bool_setting(const std::string& key, const std::string& value, bool& out);

// `key = value` lines, `#` comments and blank lines skipped; set() for each.
// The first error as "line N: ...", or empty.
std::string apply_key_value_lines(const std::string& text, const SetOption& set);

// args without argv[0]: --help, the config file, then every other flag in
// order through set(). Sets `help` or returns the first error (empty: done).
std::string apply_command_line(const std::vector<std::string>& args, const Sources& sources,
                               const ApplyText& apply_text, const SetOption& set, bool& help);

}  // namespace chat::settings
