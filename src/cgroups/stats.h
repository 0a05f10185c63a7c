// Resource usage of a container's cgroup, for `events --stats`.
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
    std::vector<uint64_t> per_cpu_ns;  // v1 only (cpuacct.usage_percpu)
    uint64_t periods = 0;              // CFS bandwidth periods that elapsed
    uint64_t throttled_periods = 0;
    uint64_t throttled_ns = 0;
};

struct MemoryStats {
    uint64_t usage = 0;       // bytes
    uint64_t max_usage = 0;   // bytes; the peak, 0 when the kernel does not record it
    uint64_t limit = 0;       // bytes; 0 means unlimited
    uint64_t failcnt = 0;     // times the limit was hit
    uint64_t swap_usage = 0;  // v1: memory+swap, as memory.memsw.usage_in_bytes; v2: swap alone
    uint64_t swap_limit = 0;  // 0 means unlimited
    uint64_t cache = 0;       // page cache bytes
    std::map<std::string, uint64_t> raw;  // memory.stat as the kernel writes it
};

struct PidsStats {
    uint64_t current = 0;
    uint64_t limit = 0;  // 0 means unlimited
};

struct Stats {
    CpuStats cpu;
    MemoryStats memory;
    PidsStats pids;
};

// Reads the usage counters of the cgroup from the v1 controllers or cgroup v2. Counters whose
// controller or file is missing stay 0; an unreadable or malformed file throws Error.
Stats read_stats(const CgroupPaths& paths);

}  // namespace ocirun::cgroups
