// The C entry points of the plugin (Mosquitto plugin API version 5). Thin on
// purpose, in the style of mosquitto's own plugins/dynamic-security: parse
// and validate the options once, build the Plugin (the userdata of every
// callback), tear it down in cleanup. No exception crosses into mosquitto: an
// error while loading refuses the load, which stops the broker rather than
// letting it run without sign-in and ACL.
#include "chat/credentials/secret_file.hpp"
#include "options.hpp"
#include "plugin.hpp"

#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

void log_error(const std::string& line) noexcept { mosquitto_log_printf(MOSQ_LOG_ERR, "%s", line.c_str()); }

std::vector<std::pair<std::string, std::string>> raw_options(const mosquitto_opt* options, int count) {
  std::vector<std::pair<std::string, std::string>> raw;
  for (int i = 0; i < count; ++i) {
    const mosquitto_opt& option = options[i];
    raw.emplace_back(option.key != nullptr ? option.key : "", option.value != nullptr ? option.value : "");
  }
  return raw;
}

}  // namespace

extern "C" {

int mosquitto_plugin_version(int supported_version_count, const int* supported_versions) {
  for (int i = 0; i < supported_version_count; ++i) {
    if (supported_versions[i] == 5) return 5;
  }
  return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t* identifier, void** userdata, mosquitto_opt* options,
                          int option_count) {
  try {
    const auto parsed = chat::auth::parse_options(
        raw_options(options, option_count),
        [](const std::string& path, std::string& error) { return chat::credentials::read_secret_file(path, error); });
    if (!parsed.options) {
      log_error("chat-auth: refusing to load: " + std::to_string(parsed.errors.size()) +
                " problem(s) with the plugin_opt_* options:");
      for (const auto& error : parsed.errors) log_error("chat-auth:   " + error);
      return MOSQ_ERR_INVAL;
    }
    auto plugin = std::make_unique<chat::auth::Plugin>(identifier, *parsed.options);
    *userdata = plugin.release();
    return MOSQ_ERR_SUCCESS;
  } catch (const std::exception& error) {
    log_error(std::string("chat-auth: refusing to load: ") + error.what());
  } catch (...) {
    log_error("chat-auth: refusing to load: unknown error");
  }
  return MOSQ_ERR_UNKNOWN;
}

int mosquitto_plugin_cleanup(void* userdata, mosquitto_opt* /*options*/, int /*option_count*/) {
  try {
    delete static_cast<chat::auth::Plugin*>(userdata);
  } catch (...) {
    // Nothing left to do: the broker is shutting down.
  }
  return MOSQ_ERR_SUCCESS;
}

}  // extern "C"
