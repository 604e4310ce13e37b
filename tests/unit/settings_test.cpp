// chat::settings: the flag and config-file grammar chat-bridge and chat-admin share.
#include "chat/settings/settings.hpp"

#include <gtest/gtest.h>

#include <map>

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

}  // namespace
}  // namespace chat::settings
