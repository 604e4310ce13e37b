// chatctl: the common admin tasks over chat-admin's HTTP API
// (docs/admin-api.md). `chatctl --help` and `chatctl COMMAND --help`.
#include "api_client.hpp"
#include "args.hpp"
#include "commands.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

using namespace chat::chatctl;

namespace {

void print_usage(std::ostream& out, const std::vector<Command>& list) {
  out << "chatctl: the chat platform's admin tasks over chat-admin's HTTP API (docs/admin-api.md).\n\n"
         "usage: chatctl [--url URL] [--token-file FILE] [--json] COMMAND [ARGS]\n"
         "       chatctl COMMAND --help\n\ncommands:\n";
  for (const Command& command : list) out << "  " << command.synopsis << '\n';
  out << "\nglobal options:\n";
  print_options(out, kGlobalOptions);
  out << "\nUSER is a user id or a username; CHAT is a chat id. The admin token comes from --token-file,\n"
         "$CHAT_ADMIN_TOKEN_FILE or $CHAT_ADMIN_TOKEN (`eval \"$(scripts/stack env)\"` sets them).\n"
         "Exit status: 0 done, 1 the server refused or could not be reached, 2 wrong usage.\n";
}

void print_command_help(std::ostream& out, const Command& command) {
  out << "usage: chatctl " << command.synopsis << "\n\n" << command.description << "\n";
  if (!command.options.empty()) {
    out << "\noptions:\n";
    print_options(out, command.options);
  }
  out << "\nglobal options:\n";
  print_options(out, kGlobalOptions);
}

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Command> list = commands();
  const std::vector<std::string> raw(argv + 1, argv + argc);

  // The command is the first word that is not a global option (or its value).
  std::size_t command_index = raw.size();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].rfind("--", 0) != 0) {
      command_index = i;
      break;
    }
    const std::string name =
        raw[i].substr(2, raw[i].find('=') == std::string::npos ? std::string::npos : raw[i].find('=') - 2);
    const OptionSpec* spec = find_spec(kGlobalOptions, name);
    if (spec != nullptr && spec->takes_value && raw[i].find('=') == std::string::npos) ++i;
  }
  if (command_index == raw.size()) {
    const bool asked = std::find(raw.begin(), raw.end(), "--help") != raw.end() ||
                       std::find(raw.begin(), raw.end(), "-h") != raw.end();
    print_usage(asked ? std::cout : std::cerr, list);
    return asked ? 0 : 2;
  }
  const std::string& name = raw[command_index];
  if (name == "help") {
    print_usage(std::cout, list);
    return 0;
  }
  const auto found = std::find_if(list.begin(), list.end(), [&](const Command& c) { return name == c.name; });
  if (found == list.end()) {
    std::cerr << "chatctl: unknown command \"" << name << "\"\n\n";
    print_usage(std::cerr, list);
    return 2;
  }
  const Command& command = *found;
  std::vector<std::string> rest(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(command_index));
  rest.insert(rest.end(), raw.begin() + static_cast<std::ptrdiff_t>(command_index) + 1, raw.end());

  Global global;
  try {
    const Args args = parse_args(rest, command.options);
    if (args.has("help")) {
      print_command_help(std::cout, command);
      return 0;
    }
    if (auto url = env("CHAT_ADMIN_URL")) global.url = *url;
    if (auto url = args.value("url")) global.url = *url;
    global.json_output = args.has("json");
    std::optional<std::string> token_file = env("CHAT_ADMIN_TOKEN_FILE");
    if (auto file = args.value("token-file")) token_file = file;
    if (token_file) {
      std::ifstream in(*token_file);
      if (!in) throw UsageError("cannot read the token file " + *token_file);
      std::getline(in, global.token);
      while (!global.token.empty() && (global.token.back() == '\r' || global.token.back() == ' ')) {
        global.token.pop_back();
      }
    } else if (auto token = env("CHAT_ADMIN_TOKEN")) {
      global.token = *token;
    }
    if (global.token.empty() && name != "health") {
      throw UsageError("no admin token: --token-file, $CHAT_ADMIN_TOKEN_FILE or $CHAT_ADMIN_TOKEN");
    }
    Api api(global);
    return command.run(api, args, global);
  } catch (const UsageError& error) {
    std::cerr << "chatctl " << name << ": " << error.what() << "\n(see chatctl " << name << " --help)\n";
    return 2;
  } catch (const ApiFailure& error) {
    std::cerr << "chatctl " << name << ": " << error.what() << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "chatctl " << name << ": " << error.what() << '\n';
    return 1;
  }
}
