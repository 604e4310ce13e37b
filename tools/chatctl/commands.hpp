#pragma once
// chatctl's command table: each command's synopsis, help, options and what
// it asks the API.
#include "api_client.hpp"
#include "args.hpp"

#include <functional>
#include <vector>

namespace chat::chatctl {

struct Command {
  const char* name;
  const char* synopsis;
  const char* description;
  std::vector<OptionSpec> options;
  std::function<int(Api&, const Args&, const Global&)> run;
};

std::vector<Command> commands();

}  // namespace chat::chatctl
