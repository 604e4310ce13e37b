#pragma once
// What chatctl prints: the server's records for people, or its JSON as is
// with --json.
#include "api_client.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace chat::chatctl {

std::string text_of(const json& value);   // "-" for null, strings bare, the rest as JSON
std::string format_time(const json& ms);  // "2025-11-21 09:30:00Z"; "-" when not a time
void print_fields(const json& object, const std::vector<std::pair<std::string, std::string>>& fields);
void print_user(const json& user);
void print_chat(const json& chat);
void print_message(const json& message);

// The answer as JSON (--json) or through `human`; returns exit status 0.
int emit(const Global& global, const json& answer, const std::function<void(const json&)>& human);

}  // namespace chat::chatctl
