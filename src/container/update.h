// `update`: changing a created, running or paused container's resource limits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "container/operations.h"
#include "spec/spec.h"

namespace ocirun::container {

// runc 1.1.5's `update` flags as given on the command line; each is empty when absent.
struct UpdateFlags {
    std::string blkio_weight;
    std::string cpu_period;
    std::string cpu_quota;
    std::string cpu_share;
    std::string cpu_rt_period;
    std::string cpu_rt_runtime;
    std::string cpuset_cpus;
    std::string cpuset_mems;
    std::string memory;
    std::string memory_reservation;
    std::string memory_swap;
    std::string kernel_memory;
    std::string kernel_memory_tcp;
    std::string pids_limit;
    std::string l3_cache_schema;
    std::string mem_bw_schema;
};

struct UpdateOptions {
    std::string id;
    // --resources: a LinuxResources JSON file, or "-" for stdin. When set, the resource flags are
    // ignored, as in runc.
    std::string resources_file;
    UpdateFlags flags;
};

// Parses a size as runc's memory flags take it (docker/go-units RAMInBytes). That is a decimal
// number with an optional fraction, then an optional binary unit k, m, g, t or p in any case.
// The unit may be preceded by one space and followed by "b" or "ib", as in "512m", "1.5G" or
// "64 MiB". Returns bytes, rounded down. Throws Error (invalid_spec) naming `flag` otherwise.
int64_t parse_ram_size(std::string_view flag, std::string_view text);

// Returns linux.resources holding the values of the flags that are set. Zero values stay unset
// where runc treats them so (blkio weight, pids limit). A memory flag of "-1" means unlimited.
// --kernel-memory and --kernel-memory-tcp are checked and then ignored with a warning, as in
// runc. Throws Error (invalid_spec) naming the flag and value that do not parse.
spec::Resources resources_from_flags(const UpdateFlags& flags);

// Merges the new values into the container's current resources, writes them to its cgroup, and
// keeps the result in state.json for later updates. Throws Error (wrong_state) when the
// container has stopped.
void update(const GlobalOptions& global, const UpdateOptions& options);

}  // namespace ocirun::container
