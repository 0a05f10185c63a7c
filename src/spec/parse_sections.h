// Readers of the config.json sections, one overload of detail::read per spec.h type.
//
// They are split by section over parse_*.cc and found by argument-dependent lookup from the
// container templates of json_reader.h, so each must be declared here before use.
#pragma once

#include "spec/json_reader.h"
#include "spec/spec.h"

namespace ocirun::spec::detail {

// parse_process.cc
void read(const Json& value, const JsonPath& path, Process& out);

// parse_mounts.cc: root, mounts and hooks
void read(const Json& value, const JsonPath& path, Root& out);
void read(const Json& value, const JsonPath& path, Mount& out);
void read(const Json& value, const JsonPath& path, Hook& out);
void read(const Json& value, const JsonPath& path, Hooks& out);

// parse_linux.cc
void read(const Json& value, const JsonPath& path, IdMapping& out);
void read(const Json& value, const JsonPath& path, Linux& out);

// parse_resources.cc
void read(const Json& value, const JsonPath& path, Resources& out);

// parse_seccomp.cc
void read(const Json& value, const JsonPath& path, Seccomp& out);

}  // namespace ocirun::spec::detail
