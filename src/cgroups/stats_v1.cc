// Resource usage read from the files of cgroup v1 controllers, as runc 1.1.5's fs driver reads
// them.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "base/error.h"
#include "cgroups/files.h"
#include "cgroups/stats_files.h"

namespace ocirun::cgroups {
namespace {

using stats_files::read_key_values;
using stats_files::read_number;
using stats_files::value_of;

std::vector<uint64_t> read_numbers(const std::string& directory, const std::string& name) {
    std::vector<uint64_t> numbers;
    if (!path_exists(join_path(directory, name))) {
        return numbers;
    }
    std::istringstream text(read_control(directory, name));
    for (uint64_t value = 0; text >> value;) {
        numbers.push_back(value);
    }
    return numbers;
}

// cpuacct.usage_all has a header line "cpu user system", then one line per CPU in nanoseconds.
void read_usage_all(const std::string& directory, CpuStats& cpu) {
    if (!path_exists(join_path(directory, "cpuacct.usage_all"))) {
        return;
    }
    std::istringstream lines(read_control(directory, "cpuacct.usage_all"));
    std::string header;
    std::getline(lines, header);
    uint64_t index = 0, user = 0, system = 0;
    while (lines >> index >> user >> system) {
        cpu.per_cpu_user_ns.push_back(user);
        cpu.per_cpu_kernel_ns.push_back(system);
    }
}

[[noreturn]] void fail_format(const std::string& directory, const std::string& name,
                              const std::string& text, const std::string& expected) {
    throw_error("read " + quote(join_path(directory, name)) + ": " + quote(text) + " is not " +
                expected);
}

uint64_t parse_number(const std::string& directory, const std::string& name,
                      const std::string& text) {
    errno = 0;
    char* end = nullptr;
    unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0) {
        fail_format(directory, name, text, "an unsigned decimal integer");
    }
    return value;
}

// Reads a cpu or memory node list such as "0-3,7" and returns the numbers it names.
std::vector<uint16_t> read_list(const std::string& directory, const std::string& name) {
    std::vector<uint16_t> numbers;
    if (!path_exists(join_path(directory, name))) {
        return numbers;
    }
    std::string text = read_control(directory, name);
    std::istringstream ranges(text);
    for (std::string range; std::getline(ranges, range, ',');) {
        if (range.empty()) {
            continue;
        }
        size_t dash = range.find('-');
        uint64_t first = parse_number(directory, name, range.substr(0, dash));
        uint64_t last = dash == std::string::npos
                            ? first
                            : parse_number(directory, name, range.substr(dash + 1));
        if (last < first || last > 0xFFFF) {
            fail_format(directory, name, text, "a list such as 0-3,7");
        }
        for (uint64_t number = first; number <= last; ++number) {
            numbers.push_back(static_cast<uint16_t>(number));
        }
    }
    return numbers;
}

MemoryEntry read_memory_entry(const std::string& directory, const std::string& prefix) {
    MemoryEntry entry;
    entry.usage = read_number(directory, prefix + ".usage_in_bytes");
    entry.max_usage = read_number(directory, prefix + ".max_usage_in_bytes");
    entry.failcnt = read_number(directory, prefix + ".failcnt");
    entry.limit = read_number(directory, prefix + ".limit_in_bytes");
    return entry;
}

// Parses a blkio file of "MAJOR:MINOR OP VALUE" lines, or "MAJOR:MINOR VALUE" for those without
// an operation; the closing "Total N" line is skipped, as runc skips it.
std::vector<BlkioEntry> read_blkio_file(const std::string& directory, const std::string& name) {
    std::vector<BlkioEntry> entries;
    if (!path_exists(join_path(directory, name))) {
        return entries;
    }
    std::istringstream lines(read_control(directory, name));
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string device, second, third;
        fields >> device >> second >> third;
        size_t colon = device.find(':');
        if (colon == std::string::npos || second.empty()) {
            continue;
        }
        BlkioEntry entry;
        entry.major = parse_number(directory, name, device.substr(0, colon));
        entry.minor = parse_number(directory, name, device.substr(colon + 1));
        if (third.empty()) {
            entry.value = parse_number(directory, name, second);
        } else {
            entry.op = second;
            entry.value = parse_number(directory, name, third);
        }
        entries.push_back(entry);
    }
    return entries;
}

}  // namespace

void read_cpu_v1(const CgroupPaths& paths, CpuStats& cpu) {
    if (auto cpuacct = paths.find("cpuacct"); cpuacct != paths.end()) {
        const std::string& directory = cpuacct->second;
        cpu.usage_ns = read_number(directory, "cpuacct.usage");
        cpu.per_cpu_ns = read_numbers(directory, "cpuacct.usage_percpu");
        read_usage_all(directory, cpu);
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

void read_cpuset_v1(const std::string& directory, CpusetStats& cpuset) {
    cpuset.cpus = read_list(directory, "cpuset.cpus");
    cpuset.mems = read_list(directory, "cpuset.mems");
    cpuset.cpu_exclusive = read_number(directory, "cpuset.cpu_exclusive");
    cpuset.mem_hardwall = read_number(directory, "cpuset.mem_hardwall");
    cpuset.mem_exclusive = read_number(directory, "cpuset.mem_exclusive");
    cpuset.memory_migrate = read_number(directory, "cpuset.memory_migrate");
    cpuset.memory_spread_page = read_number(directory, "cpuset.memory_spread_page");
    cpuset.memory_spread_slab = read_number(directory, "cpuset.memory_spread_slab");
    cpuset.memory_pressure = read_number(directory, "cpuset.memory_pressure");
    cpuset.sched_load_balance = read_number(directory, "cpuset.sched_load_balance");
    // The only signed value: -1 means the system default.
    if (path_exists(join_path(directory, "cpuset.sched_relax_domain_level"))) {
        cpuset.sched_relax_domain_level =
            read_control_integer(directory, "cpuset.sched_relax_domain_level");
    }
}

void read_memory_v1(const std::string& directory, MemoryStats& memory) {
    memory.raw = read_key_values(directory, "memory.stat");
    memory.cache = value_of(memory.raw, "cache");
    memory.usage = read_memory_entry(directory, "memory");
    memory.swap = read_memory_entry(directory, "memory.memsw");
    memory.kernel = read_memory_entry(directory, "memory.kmem");
    memory.kernel_tcp = read_memory_entry(directory, "memory.kmem.tcp");
}

// CFQ's files come first, as runc reads them; without CFQ the throttle files count the I/O.
void read_blkio_v1(const std::string& directory, BlkioStats& blkio) {
    blkio.service_bytes = read_blkio_file(directory, "blkio.io_service_bytes_recursive");
    if (blkio.service_bytes.empty()) {
        blkio.service_bytes =
            read_blkio_file(directory, "blkio.throttle.io_service_bytes_recursive");
        blkio.serviced = read_blkio_file(directory, "blkio.throttle.io_serviced_recursive");
        return;
    }
    blkio.serviced = read_blkio_file(directory, "blkio.io_serviced_recursive");
    blkio.queued = read_blkio_file(directory, "blkio.io_queued_recursive");
    blkio.service_time = read_blkio_file(directory, "blkio.io_service_time_recursive");
    blkio.wait_time = read_blkio_file(directory, "blkio.io_wait_time_recursive");
    blkio.merged = read_blkio_file(directory, "blkio.io_merged_recursive");
    blkio.time = read_blkio_file(directory, "blkio.time_recursive");
    blkio.sectors = read_blkio_file(directory, "blkio.sectors_recursive");
}

void read_hugetlb_v1(const std::string& directory, std::map<std::string, HugetlbStats>& hugetlb) {
    for (const std::string& size : stats_files::hugetlb_page_sizes(directory, "limit_in_bytes")) {
        std::string stem = "hugetlb." + size;
        HugetlbStats& stats = hugetlb[size];
        stats.usage = read_number(directory, stem + ".usage_in_bytes");
        stats.max_usage = read_number(directory, stem + ".max_usage_in_bytes");
        stats.failcnt = read_number(directory, stem + ".failcnt");
    }
}

}  // namespace ocirun::cgroups
