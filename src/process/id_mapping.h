// Writing the uid and gid maps of the container's new user namespace, directly or through the
// setuid newuidmap and newgidmap helpers (Debian package uidmap) when the runtime is unprivileged.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::process {

// The writer of a map into /proc/PID/uid_map or gid_map.
enum class IdMapWriter {
    direct,  // written by the runtime itself
    helper,  // written by newuidmap or newgidmap
};

// Chooses the writer of one map. A privileged runtime (`euid` 0) writes every map itself. An
// unprivileged one may write only a single mapping of size 1 whose host id is `own_id` (its
// effective uid or gid); any other map needs the helper, which checks /etc/subuid or
// /etc/subgid.
IdMapWriter choose_id_map_writer(const std::vector<spec::IdMapping>& mappings, uid_t euid,
                                 unsigned own_id);

// Returns the command line of newuidmap or newgidmap: `helper PID` followed by the container id,
// host id and size of each mapping.
std::vector<std::string> id_map_helper_command(const std::string& helper, pid_t pid,
                                               const std::vector<spec::IdMapping>& mappings);

// Returns the path of `name` found in $PATH, then in /usr/bin and /bin; nullopt when absent.
std::optional<std::string> find_id_map_helper(const std::string& name);

// Writes the uid and gid maps of process `pid`, which has just made its user namespace. A gid
// map the runtime writes unprivileged gets "deny" in /proc/PID/setgroups first, as the kernel
// requires. Throws Error naming the file or helper and the mapping.
void write_container_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uid_mappings,
                             const std::vector<spec::IdMapping>& gid_mappings);

}  // namespace ocirun::process
