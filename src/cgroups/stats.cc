// Resource usage of a container's cgroup, for `events --stats`.
#include "cgroups/stats.h"

#include <unistd.h>

#include <sstream>

#include "base/error.h"
#include "cgroups/files.h"

namespace ocirun::cgroups {
namespace {

// The kernel writes "max" (v2) or a value near INT64_MAX (v1) for no limit.
constexpr uint64_t kUnlimitedV1 = 0x7FFFFFFFFFFFF000ULL;

// Reads "key value" lines (cpu.stat, memory.stat, cpuacct.stat).
std::map<std::string, uint64_t> read_key_values(const std::string& directory,
                                                const std::string& name) {
    std::map<std::string, uint64_t> values;
    if (!path_exists(join_path(directory, name))) {
        return values;
    }
    std::istringstream lines(read_control(directory, name));
    std::string key;
    uint64_t value = 0;
    while (lines >> key >> value) {
        values[key] = value;
    }
    return values;
}

uint64_t read_number(const std::string& directory, const std::string& name) {
    if (!path_exists(join_path(directory, name))) {
        return 0;
    }
    std::string text = read_control(directory, name);
    if (text == "max") {
        return 0;
    }
    uint64_t value = static_cast<uint64_t>(read_control_integer(directory, name));
    return value >= kUnlimitedV1 ? 0 : value;
}

uint64_t value_of(const std::map<std::string, uint64_t>& values, const std::string& key) {
    auto it = values.find(key);
    return it == values.end() ? 0 : it->second;
}

void read_cpu_v1(const CgroupPaths& paths, CpuStats& cpu) {
    if (auto cpuacct = paths.find("cpuacct"); cpuacct != paths.end()) {
        const std::string& directory = cpuacct->second;
        cpu.usage_ns = read_number(directory, "cpuacct.usage");
        if (path_exists(join_path(directory, "cpuacct.usage_percpu"))) {
            std::istringstream per_cpu(read_control(directory, "cpuacct.usage_percpu"));
            for (uint64_t value = 0; per_cpu >> value;) {
                cpu.per_cpu_ns.push_back(value);
            }
        }
        // cpuacct.stat counts in clock ticks (USER_HZ).
        auto ticks = read_key_values(directory, "cpuacct.stat");
        uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
        cpu.user_ns = value_of(ticks, "user") * ns_per_tick;
        cpu.kernel_ns = value_of(ticks, "system") * ns_per_tick;
    }
    if (auto cpu_path = paths.find("cpu"); cpu_path != paths.end()) {
        auto stat = read_key_values(cpu_path->second, "cpu.stat");
        cpu.periods = value_of(stat, "nr_periods");
        cpu.throttled_periods = value_of(stat, "nr_throttled");
        cpu.throttled_ns = value_of(stat, "throttled_time");
    }
}

void read_cpu_v2(const std::string& directory, CpuStats& cpu) {
    auto stat = read_key_values(directory, "cpu.stat");
    cpu.usage_ns = value_of(stat, "usage_usec") * 1000;
    cpu.user_ns = value_of(stat, "user_usec") * 1000;
    cpu.kernel_ns = value_of(stat, "system_usec") * 1000;
    cpu.periods = value_of(stat, "nr_periods");
    cpu.throttled_periods = value_of(stat, "nr_throttled");
    cpu.throttled_ns = value_of(stat, "throttled_usec") * 1000;
}

void read_memory_v1(const std::string& directory, MemoryStats& memory) {
    memory.usage = read_number(directory, "memory.usage_in_bytes");
    memory.max_usage = read_number(directory, "memory.max_usage_in_bytes");
    memory.limit = read_number(directory, "memory.limit_in_bytes");
    memory.failcnt = read_number(directory, "memory.failcnt");
    memory.swap_usage = read_number(directory, "memory.memsw.usage_in_bytes");
    memory.swap_limit = read_number(directory, "memory.memsw.limit_in_bytes");
    memory.raw = read_key_values(directory, "memory.stat");
    memory.cache = value_of(memory.raw, "cache");
}

void read_memory_v2(const std::string& directory, MemoryStats& memory) {
    memory.usage = read_number(directory, "memory.current");
    memory.max_usage = read_number(directory, "memory.peak");
    memory.limit = read_number(directory, "memory.max");
    memory.failcnt = value_of(read_key_values(directory, "memory.events"), "max");
    memory.swap_usage = read_number(directory, "memory.swap.current");
    memory.swap_limit = read_number(directory, "memory.swap.max");
    memory.raw = read_key_values(directory, "memory.stat");
    memory.cache = value_of(memory.raw, "file");
}

void read_pids(const std::string& directory, PidsStats& pids) {
    pids.current = read_number(directory, "pids.current");
    pids.limit = read_number(directory, "pids.max");
}

}  // namespace

Stats read_stats(const CgroupPaths& paths) {
    Stats stats;
    auto v2 = paths.find("");
    bool has_v2 = v2 != paths.end();
    if (paths.count("cpu") != 0 || paths.count("cpuacct") != 0) {
        read_cpu_v1(paths, stats.cpu);
    } else if (has_v2) {
        read_cpu_v2(v2->second, stats.cpu);
    }
    if (auto memory = paths.find("memory"); memory != paths.end()) {
        read_memory_v1(memory->second, stats.memory);
    } else if (has_v2) {
        read_memory_v2(v2->second, stats.memory);
    }
    if (auto pids = paths.find("pids"); pids != paths.end()) {
        read_pids(pids->second, stats.pids);
    } else if (has_v2) {
        read_pids(v2->second, stats.pids);
    }
    return stats;
}

}  // namespace ocirun::cgroups
