// linux.resources as a runtime-spec JSON object: the form `update -r` reads and state.json keeps.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "spec/spec.h"

namespace ocirun::cgroups {

// Returns `resources` as a LinuxResources object with the runtime-spec field names. Absent
// optional fields are left out, so that resources_from_json returns an equal value.
nlohmann::json resources_to_json(const spec::Resources& resources);

// Parses a LinuxResources object with the config.json parser's checks. Errors are prefixed with
// `source`, e.g. "stdin: memory.limit: expected a signed 64-bit integer, got "1g"".
spec::Resources resources_from_json(const nlohmann::json& json, std::string_view source);

}  // namespace ocirun::cgroups
