// chat::settings: the flag and config-file grammar chat-bridge and chat-admin share.
#include "chat/settings/option_table.hpp"
#include "chat/settings/settings.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace chat::settings {
namespace {

// Records what was set, in order; refuses the key "bad".
struct Recorder {
  std::vector<std::pair<std::string, std::string>> set;
  SetOption setter() {
    return [this](const std::string& key, const std::string& value) -> std::string {
      if (normalize_key(key) == "bad") return "bad: refused";
      set.emplace_back(normalize_key(key), value);
      return {};
    };
  }
};

Sources files(const std::map<std::string, std::string>& contents) {
  Sources sources;
  sources.read_file = [contents](const std::string& path) -> std::optional<std::string> {
    const auto found = contents.find(path);
    if (found == contents.end()) return std::nullopt;
    return found->second;
  };
  return sources;
}

std::string run(const std::vector<std::string>& args, const Sources& sources, Recorder& recorder, bool& help) {
  const SetOption set = recorder.setter();
  return apply_command_line(
      args, sources, [&](const std::string& text) { return apply_key_value_lines(text, set); }, set, help);
}

TEST(Settings, TheConfigFileGoesFirstSoFlagsWinWhereverConfigStands) {
  Recorder recorder;
  bool help = true;
  const auto error = run({"--port", "9", "--config", "app.conf", "--log-level=debug"},
                         files({{"app.conf", "# comment\n\n port = 1 \nlog_level=info\n"}}), recorder, help);
  EXPECT_EQ(error, "");
  EXPECT_FALSE(help);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"port", "1"}, {"log_level", "info"}, {"port", "9"}, {"log_level", "debug"}};
  EXPECT_EQ(recorder.set, expected);
}

TEST(Settings, HelpStopsEverythingElse) {
  Recorder recorder;
  bool help = false;
  EXPECT_EQ(run({"--port", "1", "-h", "--bad", "x"}, {}, recorder, help), "");
  EXPECT_TRUE(help);
  EXPECT_TRUE(recorder.set.empty());
}

TEST(Settings, MalformedCommandLinesAreNamed) {
  Recorder recorder;
  bool help = false;
  EXPECT_EQ(run({"port"}, {}, recorder, help), "unexpected argument \"port\"");
  EXPECT_EQ(run({"--"}, {}, recorder, help), "unexpected argument \"--\"");
  EXPECT_EQ(run({"--port"}, {}, recorder, help), "--port needs a value");
  EXPECT_EQ(run({"--bad", "1"}, {}, recorder, help), "bad: refused");
  EXPECT_EQ(run({"--config", "missing.conf"}, files({}), recorder, help), "cannot read the config file missing.conf");
}

TEST(Settings, ConfigFileErrorsNameTheFileAndTheLine) {
  Recorder recorder;
  bool help = false;
  EXPECT_EQ(run({"--config=a.conf"}, files({{"a.conf", "port = 1\nno equals sign\n"}}), recorder, help),
            "a.conf: line 2: expected key = value");
  EXPECT_EQ(run({"--config=b.conf"}, files({{"b.conf", "\n# x\nbad = 1\n"}}), recorder, help),
            "b.conf: line 3: bad: refused");
}

TEST(Settings, ValuesKeepInnerBlanksAndEqualsSigns) {
  Recorder recorder;
  EXPECT_EQ(apply_key_value_lines("url = postgresql://h/db?a=b c\r\n", recorder.setter()), "");
  ASSERT_EQ(recorder.set.size(), 1u);
  EXPECT_EQ(recorder.set[0].second, "postgresql://h/db?a=b c");
  EXPECT_EQ(trim(" \t x y \r"), "x y");
  EXPECT_EQ(trim(" \t\r"), "");
}

TEST(Settings, IntegersAreWholeAndWithinTheirRange) {
  int out = 7;
  EXPECT_EQ(parse_int_setting("writers", "4", 1, 64, out), "");
  EXPECT_EQ(out, 4);
  EXPECT_EQ(parse_int_setting("writers", "65", 1, 64, out), "writers: 65 is outside 1..64");
  EXPECT_EQ(parse_int_setting("writers", "0", 1, 64, out), "writers: 0 is outside 1..64");
  EXPECT_EQ(parse_int_setting("writers", "4x", 1, 64, out), "writers: \"4x\" is not an integer");
  EXPECT_EQ(parse_int_setting("writers", "", 1, 64, out), "writers: \"\" is not an integer");
  EXPECT_EQ(parse_int_setting("writers", "99999999999", 1, 64, out), "writers: \"99999999999\" is not an integer");
  EXPECT_EQ(out, 4) << "a refused value must leave the setting alone";
}

TEST(Settings, ByteSizes) {
  EXPECT_EQ(parse_byte_size("65536"), 65536u);
  EXPECT_EQ(parse_byte_size("512KiB"), 512u << 10);
  EXPECT_EQ(parse_byte_size("10 MiB"), 10u << 20);
  EXPECT_EQ(parse_byte_size("10M"), 10u << 20);
  EXPECT_EQ(parse_byte_size("1gb"), 1u << 30);
  EXPECT_EQ(parse_byte_size("7B"), 7u);
  for (const char* bad : {"", "0", "-1", "MiB", "1.5MiB", "1TiB", "99999999999999999999", "17179869184GiB"}) {
    EXPECT_FALSE(parse_byte_size(bad).has_value()) << bad;
  }
  for (const std::uint64_t bytes : {std::uint64_t{7}, std::uint64_t{1536} << 10, std::uint64_t{10} << 20,
                                    std::uint64_t{3} << 30, std::uint64_t{1025}}) {
    EXPECT_EQ(parse_byte_size(format_byte_size(bytes)), bytes) << format_byte_size(bytes);
  }
  EXPECT_EQ(format_byte_size(std::uint64_t{10} << 20), "10MiB");
  std::uint64_t out = 5;
  EXPECT_EQ(parse_byte_size_setting("limit", "1KiB", 1024, out), "");
  EXPECT_EQ(out, 1024u);
  EXPECT_EQ(parse_byte_size_setting("limit", "1000", 1024, out),
            "limit: \"1000\" is not a size of at least 1024 bytes");
  EXPECT_EQ(out, 1024u) << "a refused value must leave the setting alone";
}

TEST(Settings, Flags) {
  bool out = false;
  for (const char* yes : {"true", "1", "yes"}) {
    out = false;
    EXPECT_EQ(parse_bool_setting("log", yes, out), "");
    EXPECT_TRUE(out) << yes;
  }
  for (const char* no : {"false", "0", "no"}) {
    out = true;
    EXPECT_EQ(parse_bool_setting("log", no, out), "");
    EXPECT_FALSE(out) << no;
  }
  EXPECT_EQ(parse_bool_setting("log", "maybe", out), "log: \"maybe\" is not true or false");
}

// One table drives setting and usage for every kind of option.
struct TableConfig {
  std::string name = "n";
  int count = 3;
  std::uint64_t limit = std::uint64_t{2} << 20;
  bool verbose = true;
};
const Option<TableConfig> kTable[] = {
    {"name", &TableConfig::name, "a name"},
    {"count", IntOption<TableConfig>{&TableConfig::count, 1, 9}, "a count"},
    {"limit", SizeOption<TableConfig>{&TableConfig::limit, 1024}, "a size"},
    {"verbose", BoolOption<TableConfig>{&TableConfig::verbose}, "a flag"},
};

TEST(Settings, OptionTablesSetAndPrintEveryKind) {
  TableConfig config;
  EXPECT_EQ(set_option<TableConfig>(kTable, config, "name", "x"), "");
  EXPECT_EQ(set_option<TableConfig>(kTable, config, "count", "9"), "");
  EXPECT_EQ(set_option<TableConfig>(kTable, config, "limit", "4KiB"), "");
  EXPECT_EQ(set_option<TableConfig>(kTable, config, "verbose", "no"), "");
  EXPECT_EQ(config.name, "x");
  EXPECT_EQ(config.count, 9);
  EXPECT_EQ(config.limit, 4096u);
  EXPECT_FALSE(config.verbose);
  EXPECT_EQ(set_option<TableConfig>(kTable, config, "count", "10"), "count: 10 is outside 1..9");
  EXPECT_EQ(set_option<TableConfig>(kTable, config, "other", "1"), "unknown option \"other\"");

  std::ostringstream usage;
  print_options<TableConfig>(usage, kTable, 8);
  EXPECT_EQ(usage.str(),
            "  name    a name [n]\n"
            "  count   a count [3]\n"
            "  limit   a size [2MiB]\n"
            "  verbose a flag [true]\n");
}

}  // namespace
}  // namespace chat::settings
