// Resource usage read from the files of the cgroup v2 hierarchy, as runc 1.1.5's fs2 driver
// reads them.
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "base/error.h"
#include "cgroups/files.h"
#include "cgroups/stats_files.h"

namespace ocirun::cgroups {
namespace {

using stats_files::read_key_values;
using stats_files::read_number;
using stats_files::value_of;

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

void add_io_entry(std::vector<BlkioEntry>& entries, uint64_t major, uint64_t minor, const char* op,
                  uint64_t value) {
    entries.push_back(BlkioEntry{major, minor, op, value});
}

// Parses one io.stat line, "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".
void parse_io_line(const std::string& directory, const std::string& line, BlkioStats& blkio) {
    std::istringstream fields(line);
    std::string device;
    fields >> device;
    unsigned long long major = 0, minor = 0;
    if (std::sscanf(device.c_str(), "%llu:%llu", &major, &minor) != 2) {
        throw_error("read " + quote(join_path(directory, "io.stat")) + ": " + quote(line) +
                    " does not start with MAJOR:MINOR");
    }
    for (std::string field; fields >> field;) {
        size_t equals = field.find('=');
        if (equals == std::string::npos) {
            continue;
        }
        std::string key = field.substr(0, equals);
        uint64_t value = std::strtoull(field.c_str() + equals + 1, nullptr, 10);
        if (key == "rbytes") {
            add_io_entry(blkio.service_bytes, major, minor, "Read", value);
        } else if (key == "wbytes") {
            add_io_entry(blkio.service_bytes, major, minor, "Write", value);
        } else if (key == "rios") {
            add_io_entry(blkio.serviced, major, minor, "Read", value);
        } else if (key == "wios") {
            add_io_entry(blkio.serviced, major, minor, "Write", value);
        }
    }
}

}  // namespace

void read_cpu_v2(const std::string& directory, CpuStats& cpu) {
    auto stat = read_key_values(directory, "cpu.stat");
    cpu.usage_ns = value_of(stat, "usage_usec") * 1000;
    cpu.user_ns = value_of(stat, "user_usec") * 1000;
    cpu.kernel_ns = value_of(stat, "system_usec") * 1000;
    cpu.periods = value_of(stat, "nr_periods");
    cpu.throttled_periods = value_of(stat, "nr_throttled");
    cpu.throttled_ns = value_of(stat, "throttled_usec") * 1000;
}

void read_memory_v2(const std::string& directory, MemoryStats& memory) {
    memory.raw = read_key_values(directory, "memory.stat");
    memory.cache = value_of(memory.raw, "file");
    memory.usage.usage = read_number(directory, "memory.current");
    memory.usage.max_usage = read_number(directory, "memory.peak");
    memory.usage.limit = read_number(directory, "memory.max");
    memory.usage.failcnt = value_of(read_key_values(directory, "memory.events"), "max");
    if (path_exists(join_path(directory, "memory.swap.current"))) {
        // v1 reports memory+swap, so runc adds memory to the v2 swap counters.
        memory.swap.usage = read_number(directory, "memory.swap.current") + memory.usage.usage;
        memory.swap.limit = read_number(directory, "memory.swap.max");
        if (memory.swap.limit != kNoLimit && memory.usage.limit != kNoLimit) {
            memory.swap.limit += memory.usage.limit;
        } else {
            memory.swap.limit = kNoLimit;
        }
    }
}

void read_io_v2(const std::string& directory, BlkioStats& blkio) {
    if (!path_exists(join_path(directory, "io.stat"))) {
        return;
    }
    std::istringstream lines(read_control(directory, "io.stat"));
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty()) {
            parse_io_line(directory, line, blkio);
        }
    }
}

void read_hugetlb_v2(const std::string& directory, std::map<std::string, HugetlbStats>& hugetlb) {
    for (const std::string& size : stats_files::hugetlb_page_sizes(directory, "max")) {
        std::string stem = "hugetlb." + size;
        HugetlbStats& stats = hugetlb[size];
        stats.usage = read_number(directory, stem + ".current");
        stats.failcnt = value_of(read_key_values(directory, stem + ".events"), "max");
    }
}

}  // namespace ocirun::cgroups
