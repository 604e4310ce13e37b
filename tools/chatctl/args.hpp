#pragma once
// chatctl's command line: options may come anywhere after the command,
// as --name value or --name=value, repeated where a command allows it.
// Hand-written rather than CLI11: see docs/admin-api.md, "chatctl".
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::chatctl {

struct OptionSpec {
  const char* name;  // without the leading --
  bool takes_value;
  const char* help;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> options;

  bool has(const std::string& name) const { return options.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const {
    const auto it = options.find(name);
    if (it == options.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
  }
  std::vector<std::string> values(const std::string& name) const {
    const auto it = options.find(name);
    return it == options.end() ? std::vector<std::string>{} : it->second;
  }
};

// Wrong usage: exit status 2 and a pointer to the command's --help.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The options every command takes (--url, --token-file, --json, --help).
extern const std::vector<OptionSpec> kGlobalOptions;

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, const std::string& name);

// A command's arguments against its own options and the global ones; throws
// UsageError for an unknown option or a missing value.
Args parse_args(const std::vector<std::string>& raw, const std::vector<OptionSpec>& specs);

// "  --name VALUE              help" lines.
void print_options(std::ostream& out, const std::vector<OptionSpec>& options);

}  // namespace chat::chatctl
