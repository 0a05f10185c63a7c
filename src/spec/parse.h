// Parsing of config.json and process.json into the typed model of spec.h.
//
// Errors are ocirun::Error with ErrorKind::invalid_spec and name the JSON path and the value,
// e.g. `config.json: process.rlimits[1].type: unknown rlimit "RLIMIT_FOO"`. Unknown properties
// are ignored, as the runtime-spec requires; a member whose value is null counts as absent.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spec/spec.h"

namespace ocirun::spec {

// Parses a whole config.json document. Checks types, integer ranges, enumerations and the
// rules of runtime-spec v1.3 that need nothing but the document itself.
Spec parse_config(const nlohmann::json& json);

// Reads and parses the file at `path`; every error is prefixed with `path` as given.
Spec load_config(const std::string& path);

// Parses a process object: the `process` member of config.json or exec's process.json.
Process parse_process(const nlohmann::json& json);

// Reads and parses exec's process.json; every error is prefixed with `path` as given.
Process load_process(const std::string& path);

// Checks what `create` needs beyond a valid document: process, root and a non-empty args.
void validate_for_create(const Spec& spec);

}  // namespace ocirun::spec
