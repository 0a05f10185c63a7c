// Resource usage of a container's cgroup, for `events`, in the shape of runc 1.1.5's
// libcontainer/cgroups.Stats.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cgroups/cgroups.h"

namespace ocirun::cgroups {

struct CpuStats {
    uint64_t usage_ns = 0;
    uint64_t user_ns = 0;
    uint64_t kernel_ns = 0;
    // v1 only: cpuacct.usage_percpu and the user and system columns of cpuacct.usage_all.
    std::vector<uint64_t> per_cpu_ns;
    std::vector<uint64_t> per_cpu_user_ns;
    std::vector<uint64_t> per_cpu_kernel_ns;
    uint64_t periods = 0;  // CFS bandwidth periods that elapsed
    uint64_t throttled_periods = 0;
    uint64_t throttled_ns = 0;
};

// v1 only: the cpuset controller's settings, as runc reports them.
struct CpusetStats {
    std::vector<uint16_t> cpus;
    std::vector<uint16_t> mems;
    uint64_t cpu_exclusive = 0;
    uint64_t mem_hardwall = 0;
    uint64_t mem_exclusive = 0;
    uint64_t memory_migrate = 0;
    uint64_t memory_spread_page = 0;
    uint64_t memory_spread_slab = 0;
    uint64_t memory_pressure = 0;
    uint64_t sched_load_balance = 0;
    int64_t sched_relax_domain_level = 0;
};

// One memory counter. The limit is the kernel's value: near INT64_MAX on v1 and UINT64_MAX
// (for "max") on v2 when there is no limit, as runc reports it.
struct MemoryEntry {
    uint64_t usage = 0;      // bytes
    uint64_t max_usage = 0;  // bytes; the peak, 0 when the kernel does not record it
    uint64_t failcnt = 0;    // times the limit was hit
    uint64_t limit = 0;      // bytes
};

struct MemoryStats {
    uint64_t cache = 0;  // page cache bytes
    MemoryEntry usage;
    MemoryEntry swap;  // memory+swap on both versions, as runc reports it for v1 compatibility
    MemoryEntry kernel;
    MemoryEntry kernel_tcp;
    std::map<std::string, uint64_t> raw;  // memory.stat as the kernel writes it
};

struct PidsStats {
    uint64_t current = 0;
    uint64_t limit = 0;  // 0 means unlimited
};

// One line of a blkio statistics file, such as "8:0 Read 4096".
struct BlkioEntry {
    uint64_t major = 0;
    uint64_t minor = 0;
    std::string op;
    uint64_t value = 0;
};

struct BlkioStats {
    std::vector<BlkioEntry> service_bytes;  // ioServiceBytesRecursive
    std::vector<BlkioEntry> serviced;       // ioServicedRecursive
    std::vector<BlkioEntry> queued;         // ioQueueRecursive
    std::vector<BlkioEntry> service_time;   // ioServiceTimeRecursive
    std::vector<BlkioEntry> wait_time;      // ioWaitTimeRecursive
    std::vector<BlkioEntry> merged;         // ioMergedRecursive
    std::vector<BlkioEntry> time;           // ioTimeRecursive
    std::vector<BlkioEntry> sectors;        // sectorsRecursive
};

struct HugetlbStats {
    uint64_t usage = 0;      // bytes
    uint64_t max_usage = 0;  // bytes; v1 only
    uint64_t failcnt = 0;
};

struct Stats {
    CpuStats cpu;
    CpusetStats cpuset;
    MemoryStats memory;
    PidsStats pids;
    BlkioStats blkio;
    std::map<std::string, HugetlbStats> hugetlb;  // by page size, e.g. "2MB"
};

// Reads the usage counters of the cgroup from each v1 controller, or from cgroup v2 where the
// controller is not mounted on v1. Counters whose controller or file is missing stay 0; an
// unreadable or malformed file throws Error.
Stats read_stats(const CgroupPaths& paths);

}  // namespace ocirun::cgroups
