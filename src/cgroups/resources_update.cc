// `update`: writing a running container's merged linux.resources to its cgroup.
#include "cgroups/resources_update.h"

#include <string>

#include "base/error.h"
#include "cgroups/files.h"

namespace ocirun::cgroups {
namespace {

// Returns the cgroup v2 directory that contains memory.current, or "" when memory is on cgroup v1
// (where the kernel itself rejects a limit below usage with EBUSY) or not available.
std::string v2_memory_directory(const CgroupPaths& paths) {
    if (paths.count("memory") != 0) {
        return "";
    }
    auto v2 = paths.find("");
    if (v2 == paths.end() || !path_exists(join_path(v2->second, "memory.current"))) {
        return "";
    }
    return v2->second;
}

// runc 1.2's checkBeforeUpdate: a limit at or below the current usage would make the kernel
// reclaim or OOM-kill at once, so it is rejected instead of written.
void check_memory_usage(const std::string& directory, const spec::MemoryResources& memory) {
    int64_t limit = memory.limit.value_or(0);
    int64_t swap = memory.swap.value_or(0);
    if (limit <= 0 && swap <= 0) {
        return;
    }
    int64_t usage = read_control_integer(directory, "memory.current");
    if (swap > 0 && swap <= usage) {
        throw_error("memory.checkBeforeUpdate: rejecting memory+swap limit " +
                        std::to_string(swap) + ", which is not above the current usage of " +
                        std::to_string(usage) + " bytes",
                    ErrorKind::invalid_spec);
    }
    if (limit > 0 && limit <= usage) {
        throw_error("memory.checkBeforeUpdate: rejecting memory limit " + std::to_string(limit) +
                        ", which is not above the current usage of " + std::to_string(usage) +
                        " bytes",
                    ErrorKind::invalid_spec);
    }
}

}  // namespace

void update_resources(const CgroupPaths& paths, const spec::Resources& resources) {
    if (resources.memory && resources.memory->check_before_update.value_or(false)) {
        std::string directory = v2_memory_directory(paths);
        if (!directory.empty()) {
            check_memory_usage(directory, *resources.memory);
        }
    }
    apply_resources_except_devices(paths, resources);
}

}  // namespace ocirun::cgroups
