// Applying linux.resources to a container's cgroup: each part goes to its v1 controller when
// that is mounted, otherwise to the cgroup v2 hierarchy when the controller is enabled there.
#include <algorithm>
#include <optional>
#include <sstream>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/cgroups.h"
#include "cgroups/devices_v2.h"
#include "cgroups/files.h"
#include "cgroups/resources_common.h"
#include "cgroups/resources_update.h"
#include "cgroups/resources_v1.h"
#include "cgroups/resources_v2.h"

namespace ocirun::cgroups {
namespace {

struct Target {
    std::string directory;
    bool v2 = false;
};

bool v2_controller_enabled(const std::string& directory, const std::string& controller) {
    if (!path_exists(join_path(directory, "cgroup.controllers"))) {
        return false;
    }
    std::istringstream names(read_control(directory, "cgroup.controllers"));
    std::string name;
    while (names >> name) {
        if (name == controller) {
            return true;
        }
    }
    return false;
}

// Returns where the linux.resources field `field` goes, or throws when neither the v1
// controller `v1_name` nor the v2 controller `v2_name` (empty: none) is available.
Target require_target(const CgroupPaths& paths, const std::string& v1_name,
                      const std::string& v2_name, const std::string& field) {
    if (auto v1 = paths.find(v1_name); v1 != paths.end()) {
        return Target{v1->second, false};
    }
    auto v2 = paths.find("");
    if (!v2_name.empty() && v2 != paths.end() && v2_controller_enabled(v2->second, v2_name)) {
        return Target{v2->second, true};
    }
    std::string message = field + " needs the cgroup v1 " + quote(v1_name) + " controller";
    message += v2_name.empty() ? ", which is not mounted (cgroup v2 has no equivalent)"
                               : " or the cgroup v2 " + quote(v2_name) +
                                     " controller, and neither is available";
    throw_error(message, ErrorKind::unsupported);
}

bool has_memory_settings(const spec::MemoryResources& m) {
    return m.limit.value_or(0) != 0 || m.reservation.value_or(0) != 0 || m.swap.value_or(0) != 0 ||
           m.kernel_tcp.value_or(0) != 0 || swappiness_set(m.swappiness) ||
           m.disable_oom_killer.value_or(false) || m.use_hierarchy;
}

bool has_cpu_settings(const spec::CpuResources& c) {
    return c.shares.value_or(0) != 0 || c.quota.value_or(0) != 0 || c.period.value_or(0) != 0 ||
           c.burst || c.realtime_period.value_or(0) != 0 || c.realtime_runtime.value_or(0) != 0 ||
           c.idle;
}

bool has_blkio_settings(const spec::BlockIoResources& b) {
    return b.weight.value_or(0) != 0 || b.leaf_weight.value_or(0) != 0 ||
           !b.weight_device.empty() || !b.throttle_read_bps_device.empty() ||
           !b.throttle_write_bps_device.empty() || !b.throttle_read_iops_device.empty() ||
           !b.throttle_write_iops_device.empty();
}

void apply_memory(const CgroupPaths& paths, const spec::MemoryResources& memory) {
    if (memory.kernel.value_or(0) != 0) {
        log::warning("memory.kernel (kernel memory limit) is deprecated and ignored, as in runc");
    }
    if (!has_memory_settings(memory)) {
        return;
    }
    Target target = require_target(paths, "memory", "memory", "memory");
    if (target.v2) {
        v2::set_memory(target.directory, memory);
    } else {
        v1::set_memory(target.directory, memory);
    }
}

void apply_cpu(const CgroupPaths& paths, const spec::CpuResources& cpu) {
    if (has_cpu_settings(cpu)) {
        Target target = require_target(paths, "cpu", "cpu", "cpu");
        if (target.v2) {
            v2::set_cpu(target.directory, cpu);
        } else {
            v1::set_cpu(target.directory, cpu);
        }
    }
    if (!cpu.cpus.empty() || !cpu.mems.empty()) {
        set_cpuset(require_target(paths, "cpuset", "cpuset", "cpu.cpus").directory, cpu);
    }
}

void apply_block_io(const CgroupPaths& paths, const spec::BlockIoResources& blkio) {
    if (!has_blkio_settings(blkio)) {
        return;
    }
    Target target = require_target(paths, "blkio", "io", "blockIO");
    if (target.v2) {
        v2::set_io(target.directory, blkio);
    } else {
        v1::set_blkio(target.directory, blkio);
    }
}

void apply_hugetlb(const CgroupPaths& paths, const std::vector<spec::HugepageLimit>& limits) {
    if (limits.empty()) {
        return;
    }
    Target target = require_target(paths, "hugetlb", "hugetlb", "hugepageLimits");
    for (const spec::HugepageLimit& limit : limits) {
        if (target.v2) {
            v2::set_hugetlb(target.directory, limit);
        } else {
            v1::set_hugetlb(target.directory, limit);
        }
    }
}

void apply_network(const CgroupPaths& paths, const spec::NetworkResources& network) {
    if (network.class_id) {
        v1::set_net_cls(require_target(paths, "net_cls", "", "network.classID").directory, network);
    }
    if (!network.priorities.empty()) {
        v1::set_net_prio(require_target(paths, "net_prio", "", "network.priorities").directory,
                         network);
    }
}

void apply_devices(const CgroupPaths& paths, const std::vector<spec::DeviceCgroupRule>& rules) {
    if (rules.empty()) {
        return;
    }
    // A hybrid host has both; the v1 controller is used there, as runc does.
    if (auto v1 = paths.find("devices"); v1 != paths.end()) {
        v1::set_devices(v1->second, rules);
        return;
    }
    if (auto v2 = paths.find(""); v2 != paths.end()) {
        v2::set_devices(v2->second, rules);
        return;
    }
    throw_error(
        "devices needs the cgroup v1 `devices` controller or a cgroup v2 hierarchy, and "
        "neither is available",
        ErrorKind::unsupported);
}

void apply_unified(const CgroupPaths& paths, const std::map<std::string, std::string>& files) {
    if (files.empty()) {
        return;
    }
    auto v2 = paths.find("");
    if (v2 == paths.end()) {
        throw_error("unified needs a cgroup v2 hierarchy, and this host has none",
                    ErrorKind::unsupported);
    }
    v2::set_unified(v2->second, files);
}

template <typename Function>
void with_context(const std::string& part, Function&& function) {
    try {
        function();
    } catch (const Error& error) {
        throw error.with_context("apply linux.resources." + part);
    }
}

// Parts are written in runc's order of v1 controllers: cpuset, devices, memory, cpu, pids,
// blkio, hugetlb, net_cls, net_prio, rdma, and the unified files last so that they win.
void apply_parts(const CgroupPaths& paths, const spec::Resources& resources, bool devices) {
    if (resources.cpu) {
        with_context("cpu", [&] { apply_cpu(paths, *resources.cpu); });
    }
    if (devices) {
        with_context("devices", [&] { apply_devices(paths, resources.devices); });
    }
    if (resources.memory) {
        with_context("memory", [&] { apply_memory(paths, *resources.memory); });
    }
    if (resources.pids && resources.pids->limit.value_or(0) != 0) {
        with_context("pids", [&] {
            set_pids(require_target(paths, "pids", "pids", "pids").directory, *resources.pids);
        });
    }
    if (resources.block_io) {
        with_context("blockIO", [&] { apply_block_io(paths, *resources.block_io); });
    }
    with_context("hugepageLimits", [&] { apply_hugetlb(paths, resources.hugepage_limits); });
    if (resources.network) {
        with_context("network", [&] { apply_network(paths, *resources.network); });
    }
    if (!resources.rdma.empty()) {
        with_context("rdma", [&] {
            set_rdma(require_target(paths, "rdma", "rdma", "rdma").directory, resources.rdma);
        });
    }
    with_context("unified", [&] { apply_unified(paths, resources.unified); });
}

}  // namespace

void apply_resources(const CgroupPaths& paths, const spec::Resources& resources) {
    apply_parts(paths, resources, true);
}

void apply_resources_except_devices(const CgroupPaths& paths, const spec::Resources& resources) {
    apply_parts(paths, resources, false);
}

}  // namespace ocirun::cgroups
