// Linux namespaces of the container: clone flags, joining one by path, user id maps and time
// namespace offsets.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::process {

// Returns the CLONE_NEW* flag of a namespace type.
int clone_flag(spec::NamespaceType type);

// Opens a namespace file and checks with NS_GET_NSTYPE that it is a namespace of `type`.
// Returns the fd (close-on-exec).
int open_namespace(const std::string& path, spec::NamespaceType type);

// setns into an fd from open_namespace; names `path` in errors.
void join_namespace(int fd, spec::NamespaceType type, const std::string& path);

// Returns the text of a uid_map or gid_map file: "container host size" per line.
std::string format_id_map(const std::vector<spec::IdMapping>& mappings);

// Writes /proc/PID/uid_map and gid_map; `deny_setgroups` writes "deny" to /proc/PID/setgroups
// first, which an unprivileged writer of gid_map needs.
void write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uid_mappings,
                   const std::vector<spec::IdMapping>& gid_mappings, bool deny_setgroups);

// Returns the text of /proc/PID/timens_offsets: "clock secs nanosecs" per line.
std::string format_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets);

// Writes the offsets of the time namespace the calling process made with unshare; only
// possible before any process has entered it.
void write_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets);

}  // namespace ocirun::process
