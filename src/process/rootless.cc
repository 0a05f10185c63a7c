// Rootless decisions and the config checks for an unprivileged runtime.
#include "process/rootless.h"

#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/file.h"
#include "base/text.h"

namespace ocirun::process {

namespace {

bool is_mapped(uint32_t id, const std::vector<spec::IdMapping>& mappings) {
    for (const spec::IdMapping& mapping : mappings) {
        if (id >= mapping.container_id && id - mapping.container_id < mapping.size) {
            return true;
        }
    }
    return false;
}

// Checks one "uid=N" or "gid=N" mount option against the container's mappings.
void check_id_option(const spec::Mount& mount, const std::string& option,
                     const std::vector<spec::IdMapping>& mappings) {
    std::string value = option.substr(4);
    uint32_t id = 0;
    try {
        size_t used = 0;
        unsigned long parsed = std::stoul(value, &used);
        if (used != value.size() || parsed > UINT32_MAX) {
            throw std::out_of_range(value);
        }
        id = static_cast<uint32_t>(parsed);
    } catch (const std::logic_error&) {
        throw_error("mounts: " + quote(mount.destination) + ": invalid option " + quote(option) +
                        ": expected a decimal id",
                    ErrorKind::invalid_spec);
    }
    if (!is_mapped(id, mappings)) {
        std::string field = option.starts_with("uid=") ? "linux.uidMappings" : "linux.gidMappings";
        throw_error("mounts: " + quote(mount.destination) + ": option " + quote(option) +
                        " names an id that " + field +
                        " does not map, which a rootless container cannot use",
                    ErrorKind::invalid_spec);
    }
}

bool sets_memory(const spec::MemoryResources& memory) {
    return memory.limit || memory.reservation || memory.swap || memory.kernel ||
           memory.kernel_tcp || memory.swappiness || memory.disable_oom_killer ||
           memory.use_hierarchy || memory.check_before_update;
}

bool sets_cpu(const spec::CpuResources& cpu) {
    return cpu.shares || cpu.quota || cpu.burst || cpu.period || cpu.realtime_runtime ||
           cpu.realtime_period || !cpu.cpus.empty() || !cpu.mems.empty() || cpu.idle;
}

bool sets_block_io(const spec::BlockIoResources& block_io) {
    return block_io.weight || block_io.leaf_weight || !block_io.weight_device.empty() ||
           !block_io.throttle_read_bps_device.empty() ||
           !block_io.throttle_write_bps_device.empty() ||
           !block_io.throttle_read_iops_device.empty() ||
           !block_io.throttle_write_iops_device.empty();
}

}  // namespace

bool running_in_user_namespace() {
    static const bool in_user_namespace = [] {
        std::optional<std::string> text = read_file("/proc/self/uid_map");
        return text && is_user_namespace_map(*text);
    }();
    return in_user_namespace;
}

bool decide_rootless(const std::string& flag, bool systemd_cgroup, uid_t euid,
                     bool in_user_namespace, bool user_manager) {
    if (flag == "true") {
        return true;
    }
    if (flag == "false") {
        return false;
    }
    if (flag != "auto" && !flag.empty()) {
        throw_error("invalid --rootless value " + quote(flag) + ": expected true, false or auto");
    }
    if (euid != 0) {
        return true;
    }
    if (!in_user_namespace) {
        return false;
    }
    return !systemd_cgroup || user_manager;
}

bool honors_xdg_runtime_dir(uid_t euid, bool in_user_namespace, const char* user_variable) {
    if (euid != 0) {
        return true;
    }
    if (!in_user_namespace) {
        return false;
    }
    return user_variable == nullptr || std::string_view(user_variable) != "root";
}

std::optional<std::string> first_resource_limit(const spec::Spec& spec) {
    if (!spec.linux_config || !spec.linux_config->resources) {
        return std::nullopt;
    }
    const spec::Resources& resources = *spec.linux_config->resources;
    if (resources.memory && sets_memory(*resources.memory)) {
        return "memory";
    }
    if (resources.cpu && sets_cpu(*resources.cpu)) {
        return "cpu";
    }
    if (resources.pids && resources.pids->limit) {
        return "pids";
    }
    if (resources.block_io && sets_block_io(*resources.block_io)) {
        return "blockIO";
    }
    if (!resources.hugepage_limits.empty()) {
        return "hugepageLimits";
    }
    if (resources.network &&
        (resources.network->class_id || !resources.network->priorities.empty())) {
        return "network";
    }
    if (!resources.rdma.empty()) {
        return "rdma";
    }
    if (!resources.unified.empty()) {
        return "unified";
    }
    return std::nullopt;
}

void validate_rootless_config(const spec::Spec& spec) {
    const spec::Linux& linux_config = *spec.linux_config;
    const spec::Namespace* user = linux_config.find_namespace(spec::NamespaceType::user);
    if (user == nullptr) {
        throw_error(
            "linux.namespaces: a rootless container requires a user namespace; add "
            "{\"type\": \"user\"} with uidMappings and gidMappings (see `ocirun spec --rootless`)",
            ErrorKind::invalid_spec);
    }
    if (!user->path.empty()) {
        // A joined namespace brings its own maps, written by the process that created it.
        return;
    }
    if (linux_config.uid_mappings.empty()) {
        throw_error("linux.uidMappings: a rootless container requires at least one uid mapping",
                    ErrorKind::invalid_spec);
    }
    if (linux_config.gid_mappings.empty()) {
        throw_error("linux.gidMappings: a rootless container requires at least one gid mapping",
                    ErrorKind::invalid_spec);
    }
    for (const spec::Mount& mount : spec.mounts) {
        for (const std::string& option : mount.options) {
            if (option.starts_with("uid=")) {
                check_id_option(mount, option, linux_config.uid_mappings);
            } else if (option.starts_with("gid=")) {
                check_id_option(mount, option, linux_config.gid_mappings);
            }
        }
    }
}

}  // namespace ocirun::process
