// linux.resources written to the files of the cgroup v2 hierarchy, with v1 values converted.
#include "cgroups/resources_v2.h"

#include <cerrno>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/conversions.h"
#include "cgroups/files.h"
#include "cgroups/resources_common.h"

namespace ocirun::cgroups::v2 {
namespace {

std::string limit_value(int64_t value) {
    return value < 0 ? "max" : std::to_string(value);
}

std::string device_number(int64_t major, int64_t minor) {
    return std::to_string(major) + ":" + std::to_string(minor);
}

void write_io_max(const std::string& directory, const std::string& key,
                  const std::vector<spec::ThrottleDevice>& devices) {
    for (const spec::ThrottleDevice& device : devices) {
        write_control(directory, "io.max",
                      device_number(device.major, device.minor) + " " + key + "=" +
                          std::to_string(device.rate));
    }
}

// Writes a per-device weight to io.bfq.weight unconverted, or converted to io.weight. The kernel
// rejects it with EOPNOTSUPP (seen on Linux 6.1) unless the device uses BFQ, or, for io.weight,
// has io.cost enabled.
void write_device_weight(const std::string& directory, bool bfq, const std::string& number,
                         uint64_t weight) {
    std::string file = bfq ? "io.bfq.weight" : "io.weight";
    uint64_t value = bfq ? weight : blkio_weight_to_io_weight(weight);
    try {
        write_control(directory, file, number + " " + std::to_string(value));
    } catch (const Error& error) {
        if (error.error_number() != EOPNOTSUPP) {
            throw;
        }
        std::string reason = bfq ? "the device does not use the BFQ I/O scheduler"
                                 : "the device uses neither the BFQ I/O scheduler (bfq module "
                                   "not loaded) nor io.cost";
        throw_error("blockIO.weightDevice " + number + " cannot be set in " +
                        quote(join_path(directory, file)) + ": " + reason +
                        " (see /sys/dev/block/" + number + "/queue/scheduler)",
                    ErrorKind::unsupported);
    }
}

}  // namespace

void set_memory(const std::string& directory, const spec::MemoryResources& memory) {
    // memory.swap.max goes first, so that the total never exceeds the old limits meanwhile.
    std::optional<std::string> swap = memory_swap_v2(memory.limit, memory.swap);
    if (swap) {
        try {
            write_control(directory, "memory.swap.max", *swap);
        } catch (const Error& error) {
            // Without swap accounting there is no swap to limit, so "no swap" and "unlimited"
            // are already true; only a real swap limit is an error.
            if (error.error_number() != ENOENT) {
                throw;
            }
            if (*swap != "max" && *swap != "0") {
                throw_error(
                    "memory.swap " + std::to_string(memory.swap.value_or(0)) +
                        " cannot be set: " + quote(join_path(directory, "memory.swap.max")) +
                        " does not exist (swap accounting is disabled in the kernel; "
                        "boot with swapaccount=1 or remove the swap limit)",
                    ErrorKind::unsupported);
            }
        }
    }
    if (memory.limit && *memory.limit != 0) {
        write_control(directory, "memory.max", limit_value(*memory.limit));
    }
    if (memory.reservation && *memory.reservation != 0) {
        write_control(directory, "memory.low", limit_value(*memory.reservation));
    }
    if (swappiness_set(memory.swappiness)) {
        log::warning("memory.swappiness is not supported on cgroup v2 and is ignored");
    }
    if (memory.disable_oom_killer.value_or(false)) {
        log::warning("memory.disableOOMKiller is not supported on cgroup v2 and is ignored");
    }
    if (memory.kernel_tcp.value_or(0) != 0) {
        log::warning("memory.kernelTCP is not supported on cgroup v2 and is ignored, as in runc");
    }
    // cgroup v2 always accounts hierarchically, so only false cannot be honoured.
    if (memory.use_hierarchy == false) {
        throw_error(
            "memory.useHierarchy false is not supported on cgroup v2, which always "
            "accounts memory hierarchically; remove the field or set it to true",
            ErrorKind::unsupported);
    }
}

void set_cpu(const std::string& directory, const spec::CpuResources& cpu) {
    if (cpu.realtime_period.value_or(0) != 0 || cpu.realtime_runtime.value_or(0) != 0) {
        throw_error("cpu.realtimePeriod and cpu.realtimeRuntime are not supported on cgroup v2",
                    ErrorKind::unsupported);
    }
    if (cpu.idle) {
        write_control(directory, "cpu.idle", std::to_string(*cpu.idle));
    }
    if (cpu.shares && *cpu.shares != 0) {
        write_control(directory, "cpu.weight", std::to_string(cpu_shares_to_weight(*cpu.shares)));
    }
    if (cpu.burst) {
        write_control(directory, "cpu.max.burst", std::to_string(*cpu.burst));
    }
    if (cpu.quota.value_or(0) != 0 || cpu.period.value_or(0) != 0) {
        write_control(directory, "cpu.max", cpu_max(cpu.quota, cpu.period));
    }
}

void set_io(const std::string& directory, const spec::BlockIoResources& blkio) {
    // BFQ takes the v1 weight range unchanged; io.weight needs it converted.
    bool bfq = path_exists(join_path(directory, "io.bfq.weight"));
    if (blkio.weight && *blkio.weight != 0) {
        if (bfq) {
            write_control(directory, "io.bfq.weight", std::to_string(*blkio.weight));
        } else {
            write_control(directory, "io.weight",
                          std::to_string(blkio_weight_to_io_weight(*blkio.weight)));
        }
    }
    for (const spec::WeightDevice& device : blkio.weight_device) {
        if (!device.weight || *device.weight == 0) {
            continue;
        }
        write_device_weight(directory, bfq, device_number(device.major, device.minor),
                            *device.weight);
    }
    if (blkio.leaf_weight.value_or(0) != 0) {
        log::warning("blockIO.leafWeight is not supported on cgroup v2 and is ignored");
    }
    write_io_max(directory, "rbps", blkio.throttle_read_bps_device);
    write_io_max(directory, "wbps", blkio.throttle_write_bps_device);
    write_io_max(directory, "riops", blkio.throttle_read_iops_device);
    write_io_max(directory, "wiops", blkio.throttle_write_iops_device);
}

void set_hugetlb(const std::string& directory, const spec::HugepageLimit& limit) {
    std::string stem = hugetlb_file_stem(directory, limit.page_size, ".max");
    write_control(directory, stem + ".max", std::to_string(limit.limit));
    // As on v1, reservations are limited too where the kernel accounts them.
    if (path_exists(join_path(directory, stem + ".rsvd.max"))) {
        write_control(directory, stem + ".rsvd.max", std::to_string(limit.limit));
    }
}

void set_unified(const std::string& directory, const std::map<std::string, std::string>& files) {
    for (const auto& [name, value] : files) {
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
            throw_error("linux.resources.unified key " + quote(name) +
                            " is invalid: it must be a file name in the cgroup directory",
                        ErrorKind::invalid_spec);
        }
        if (!path_exists(join_path(directory, name))) {
            throw_error("linux.resources.unified key " + quote(name) + ": " +
                            quote(join_path(directory, name)) +
                            " does not exist (is its controller enabled?)",
                        ErrorKind::unsupported);
        }
        write_control(directory, name, value);
    }
}

}  // namespace ocirun::cgroups::v2
