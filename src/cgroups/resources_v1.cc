// linux.resources written to the files of cgroup v1 controllers.
#include "cgroups/resources_v1.h"

#include <cerrno>

#include "base/error.h"
#include "cgroups/conversions.h"
#include "cgroups/files.h"
#include "cgroups/resources_common.h"

namespace ocirun::cgroups::v1 {
namespace {

constexpr const char* kMemoryLimit = "memory.limit_in_bytes";
constexpr const char* kMemorySwapLimit = "memory.memsw.limit_in_bytes";

void write_memory_limit(const std::string& directory, int64_t limit) {
    try {
        write_control(directory, kMemoryLimit, std::to_string(limit));
    } catch (const Error& error) {
        if (error.error_number() != EBUSY) {
            throw;
        }
        // The kernel rejects a limit below what the cgroup already uses.
        throw error.with_context("memory limit " + std::to_string(limit) +
                                 " is below the current usage of " +
                                 read_control(directory, "memory.usage_in_bytes") + " bytes");
    }
}

// The kernel requires memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every moment, so
// the order of the two writes depends on whether the swap limit grows.
void set_memory_and_swap(const std::string& directory, int64_t limit, int64_t swap) {
    bool has_swap_file = path_exists(join_path(directory, kMemorySwapLimit));
    if (limit == -1 && swap == 0 && has_swap_file) {
        swap = -1;  // an unlimited memory limit makes memory+swap unlimited too, as in runc
    }
    if (swap != 0 && !has_swap_file) {
        // Without swap accounting nothing limits swap, so only "unlimited" is already true.
        if (swap != -1) {
            throw_error("memory.swap " + std::to_string(swap) +
                            " cannot be set: " + quote(join_path(directory, kMemorySwapLimit)) +
                            " does not exist (swap accounting is disabled in the kernel; boot "
                            "with swapaccount=1 or remove the swap limit)",
                        ErrorKind::unsupported);
        }
        swap = 0;
    }
    if (limit != 0 && swap != 0) {
        int64_t current = read_control_integer(directory, kMemoryLimit);
        if (swap == -1 || current < swap) {
            write_control(directory, kMemorySwapLimit, std::to_string(swap));
            write_memory_limit(directory, limit);
        } else {
            write_memory_limit(directory, limit);
            write_control(directory, kMemorySwapLimit, std::to_string(swap));
        }
        return;
    }
    if (limit != 0) {
        write_memory_limit(directory, limit);
    }
    if (swap != 0) {
        write_control(directory, kMemorySwapLimit, std::to_string(swap));
    }
}

void set_use_hierarchy(const std::string& directory, bool enabled) {
    try {
        write_control(directory, "memory.use_hierarchy", enabled ? "1" : "0");
    } catch (const Error& error) {
        // Kernels that dropped the non-hierarchical mode reject 0 with EINVAL.
        if (enabled || error.error_number() != EINVAL) {
            throw;
        }
        throw_error(
            "memory.useHierarchy false is not supported: this kernel always accounts "
            "memory hierarchically; remove the field or set it to true",
            ErrorKind::unsupported);
    }
}

std::string device_number(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor);
}

// Kernels without CFQ name the proportional weight files after BFQ, and some have neither.
std::string weight_file(const std::string& directory, const std::string& cfq_name,
                        const std::string& bfq_name) {
    if (path_exists(join_path(directory, cfq_name))) {
        return cfq_name;
    }
    if (path_exists(join_path(directory, bfq_name))) {
        return bfq_name;
    }
    throw_error("blkio weight cannot be set: " + quote(directory) + " has neither " +
                    quote(cfq_name) + " nor " + quote(bfq_name) +
                    " (the kernel has no CFQ or BFQ I/O scheduler)",
                ErrorKind::unsupported);
}

void write_weight_device(const std::string& directory, const std::string& number, uint16_t weight) {
    std::string file = weight_file(directory, "blkio.weight_device", "blkio.bfq.weight_device");
    try {
        write_control(directory, file, number + " " + std::to_string(weight));
    } catch (const Error& error) {
        // BFQ rejects a device that another I/O scheduler serves with EOPNOTSUPP.
        if (error.error_number() != EOPNOTSUPP) {
            throw;
        }
        std::string scheduler = file == "blkio.weight_device" ? "CFQ" : "BFQ";
        throw_error("blockIO.weightDevice " + number +
                        " cannot be set: the device does not use the " + scheduler +
                        " I/O scheduler (see /sys/dev/block/" + number + "/queue/scheduler)",
                    ErrorKind::unsupported);
    }
}

// Only CFQ, removed in Linux 5.0, has leaf weights. BFQ has no equivalent.
std::string leaf_weight_file(const std::string& directory, const std::string& name) {
    if (!path_exists(join_path(directory, name))) {
        throw_error("blkio leaf weight cannot be set: " + quote(join_path(directory, name)) +
                        " does not exist (only the CFQ I/O scheduler has leaf weights)",
                    ErrorKind::unsupported);
    }
    return name;
}

void write_throttles(const std::string& directory, const std::string& name,
                     const std::vector<spec::ThrottleDevice>& devices) {
    for (const spec::ThrottleDevice& device : devices) {
        write_control(
            directory, name,
            device_number(device.major, device.minor) + " " + std::to_string(device.rate));
    }
}

void set_cpu_bandwidth(const std::string& directory, const spec::CpuResources& cpu) {
    bool period_pending = false;
    if (cpu.period && *cpu.period != 0) {
        try {
            write_control(directory, "cpu.cfs_period_us", std::to_string(*cpu.period));
        } catch (const Error& error) {
            // A shorter period can exceed the parent's quota until the new quota is written;
            // then the period is written again after it.
            if (error.error_number() != EINVAL || !cpu.quota || *cpu.quota == 0) {
                throw;
            }
            period_pending = true;
        }
    }
    if (cpu.quota && *cpu.quota != 0) {
        write_control(directory, "cpu.cfs_quota_us", std::to_string(*cpu.quota));
        if (period_pending) {
            write_control(directory, "cpu.cfs_period_us", std::to_string(*cpu.period));
        }
    }
    if (cpu.burst) {
        write_control(directory, "cpu.cfs_burst_us", std::to_string(*cpu.burst));
    }
}

}  // namespace

void set_memory(const std::string& directory, const spec::MemoryResources& memory) {
    set_memory_and_swap(directory, memory.limit.value_or(0), memory.swap.value_or(0));
    if (memory.reservation && *memory.reservation != 0) {
        write_control(directory, "memory.soft_limit_in_bytes", std::to_string(*memory.reservation));
    }
    if (memory.kernel_tcp && *memory.kernel_tcp != 0) {
        write_control(directory, "memory.kmem.tcp.limit_in_bytes",
                      std::to_string(*memory.kernel_tcp));
    }
    if (swappiness_set(memory.swappiness)) {
        if (*memory.swappiness > 100) {
            throw_error("memory.swappiness " + std::to_string(*memory.swappiness) +
                            " is invalid: the range is 0 to 100",
                        ErrorKind::invalid_spec);
        }
        write_control(directory, "memory.swappiness", std::to_string(*memory.swappiness));
    }
    if (memory.disable_oom_killer.value_or(false)) {
        write_control(directory, "memory.oom_control", "1");
    }
    if (memory.use_hierarchy) {
        set_use_hierarchy(directory, *memory.use_hierarchy);
    }
}

void set_cpu(const std::string& directory, const spec::CpuResources& cpu) {
    if (cpu.shares && *cpu.shares != 0) {
        write_control(directory, "cpu.shares", std::to_string(*cpu.shares));
        // The kernel clamps shares to 2..262144 without an error, so the value is read back.
        uint64_t applied = static_cast<uint64_t>(read_control_integer(directory, "cpu.shares"));
        if (applied != *cpu.shares) {
            throw_error("cpu.shares " + std::to_string(*cpu.shares) + " is out of range: the " +
                            (applied < *cpu.shares ? "maximum" : "minimum") + " is " +
                            std::to_string(applied),
                        ErrorKind::invalid_spec);
        }
    }
    set_cpu_bandwidth(directory, cpu);
    if (cpu.realtime_period && *cpu.realtime_period != 0) {
        write_control(directory, "cpu.rt_period_us", std::to_string(*cpu.realtime_period));
    }
    if (cpu.realtime_runtime && *cpu.realtime_runtime != 0) {
        write_control(directory, "cpu.rt_runtime_us", std::to_string(*cpu.realtime_runtime));
    }
    if (cpu.idle) {
        write_control(directory, "cpu.idle", std::to_string(*cpu.idle));
    }
}

void set_blkio(const std::string& directory, const spec::BlockIoResources& blkio) {
    if (blkio.weight && *blkio.weight != 0) {
        write_control(directory, weight_file(directory, "blkio.weight", "blkio.bfq.weight"),
                      std::to_string(*blkio.weight));
    }
    if (blkio.leaf_weight && *blkio.leaf_weight != 0) {
        write_control(directory, leaf_weight_file(directory, "blkio.leaf_weight"),
                      std::to_string(*blkio.leaf_weight));
    }
    for (const spec::WeightDevice& device : blkio.weight_device) {
        std::string number = device_number(device.major, device.minor);
        if (device.weight && *device.weight != 0) {
            write_weight_device(directory, number, *device.weight);
        }
        if (device.leaf_weight && *device.leaf_weight != 0) {
            write_control(directory, leaf_weight_file(directory, "blkio.leaf_weight_device"),
                          number + " " + std::to_string(*device.leaf_weight));
        }
    }
    write_throttles(directory, "blkio.throttle.read_bps_device", blkio.throttle_read_bps_device);
    write_throttles(directory, "blkio.throttle.write_bps_device", blkio.throttle_write_bps_device);
    write_throttles(directory, "blkio.throttle.read_iops_device", blkio.throttle_read_iops_device);
    write_throttles(directory, "blkio.throttle.write_iops_device",
                    blkio.throttle_write_iops_device);
}

void set_hugetlb(const std::string& directory, const spec::HugepageLimit& limit) {
    std::string stem = hugetlb_file_stem(directory, limit.page_size, ".limit_in_bytes");
    write_control(directory, stem + ".limit_in_bytes", std::to_string(limit.limit));
    // The runtime-spec limits reservations where the kernel accounts them (the rsvd files) and
    // usage otherwise. Both are written, so that usage is limited too.
    if (path_exists(join_path(directory, stem + ".rsvd.limit_in_bytes"))) {
        write_control(directory, stem + ".rsvd.limit_in_bytes", std::to_string(limit.limit));
    }
}

void set_net_cls(const std::string& directory, const spec::NetworkResources& network) {
    if (network.class_id) {
        write_control(directory, "net_cls.classid", std::to_string(*network.class_id));
    }
}

void set_net_prio(const std::string& directory, const spec::NetworkResources& network) {
    for (const spec::InterfacePriority& priority : network.priorities) {
        write_control(directory, "net_prio.ifpriomap",
                      priority.name + " " + std::to_string(priority.priority));
    }
}

void set_devices(const std::string& directory, const std::vector<spec::DeviceCgroupRule>& rules) {
    // Consecutive rules for the same file share one open of it.
    size_t first = 0;
    while (first < rules.size()) {
        bool allow = rules[first].allow;
        std::vector<std::string> entries;
        size_t next = first;
        for (; next < rules.size() && rules[next].allow == allow; ++next) {
            entries.push_back(device_rule_v1(rules[next]));
        }
        write_control_entries(directory, allow ? "devices.allow" : "devices.deny", entries);
        first = next;
    }
}

}  // namespace ocirun::cgroups::v1
