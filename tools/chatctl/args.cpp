#include "args.hpp"

namespace chat::chatctl {

const std::vector<OptionSpec> kGlobalOptions = {
    {"url", true, "the admin server (default $CHAT_ADMIN_URL or http://127.0.0.1:8080)"},
    {"token-file", true, "file holding the admin token (default $CHAT_ADMIN_TOKEN_FILE; or set $CHAT_ADMIN_TOKEN)"},
    {"json", false, "print the server's JSON answers as they are"},
    {"help", false, "this help"},
};

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const auto& spec : specs) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

// Options may come anywhere after the command: --name value, --name=value.
Args parse_args(const std::vector<std::string>& raw, const std::vector<OptionSpec>& specs) {
  Args args;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& arg = raw[i];
    if (arg == "--") {
      args.positional.insert(args.positional.end(), raw.begin() + static_cast<std::ptrdiff_t>(i) + 1, raw.end());
      break;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      args.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      inline_value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    const OptionSpec* spec = find_spec(specs, name);
    if (spec == nullptr) spec = find_spec(kGlobalOptions, name);
    if (spec == nullptr) throw UsageError("unknown option --" + name);
    if (!spec->takes_value) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      args.options[name].push_back("");
      continue;
    }
    if (inline_value) {
      args.options[name].push_back(*inline_value);
    } else {
      if (i + 1 >= raw.size()) throw UsageError("--" + name + " needs a value");
      args.options[name].push_back(raw[++i]);
    }
  }
  return args;
}

void print_options(std::ostream& out, const std::vector<OptionSpec>& options) {
  for (const auto& option : options) {
    std::string name = std::string("--") + option.name + (option.takes_value ? " VALUE" : "");
    out << "  " << name;
    for (std::size_t n = name.size(); n < 26; ++n) out << ' ';
    out << option.help << '\n';
  }
}

}  // namespace chat::chatctl
