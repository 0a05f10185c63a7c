// Statistics as the JSON of runc 1.1.5's `events` (types/events.go).
#include "cgroups/stats_json.h"

namespace ocirun::cgroups {
namespace {

using nlohmann::ordered_json;

// Sets `key` unless `value` is zero or empty, as a Go field tagged omitempty is written.
template <typename T>
void put_nonempty(ordered_json& object, const char* key, const T& value) {
    if constexpr (std::is_arithmetic_v<T>) {
        if (value != 0) {
            object[key] = value;
        }
    } else if (!value.empty()) {
        object[key] = value;
    }
}

ordered_json cpu_json(const CpuStats& cpu) {
    ordered_json usage = ordered_json::object();
    put_nonempty(usage, "total", cpu.usage_ns);
    put_nonempty(usage, "percpu", cpu.per_cpu_ns);
    put_nonempty(usage, "percpu_kernel", cpu.per_cpu_kernel_ns);
    put_nonempty(usage, "percpu_user", cpu.per_cpu_user_ns);
    usage["kernel"] = cpu.kernel_ns;
    usage["user"] = cpu.user_ns;
    ordered_json throttling = ordered_json::object();
    put_nonempty(throttling, "periods", cpu.periods);
    put_nonempty(throttling, "throttledPeriods", cpu.throttled_periods);
    put_nonempty(throttling, "throttledTime", cpu.throttled_ns);
    return {{"usage", usage}, {"throttling", throttling}};
}

ordered_json cpuset_json(const CpusetStats& cpuset) {
    ordered_json object = ordered_json::object();
    put_nonempty(object, "cpus", cpuset.cpus);
    object["cpu_exclusive"] = cpuset.cpu_exclusive;
    put_nonempty(object, "mems", cpuset.mems);
    object["mem_hardwall"] = cpuset.mem_hardwall;
    object["mem_exclusive"] = cpuset.mem_exclusive;
    object["memory_migrate"] = cpuset.memory_migrate;
    object["memory_spread_page"] = cpuset.memory_spread_page;
    object["memory_spread_slab"] = cpuset.memory_spread_slab;
    object["memory_pressure"] = cpuset.memory_pressure;
    object["sched_load_balance"] = cpuset.sched_load_balance;
    object["sched_relax_domain_level"] = cpuset.sched_relax_domain_level;
    return object;
}

ordered_json memory_entry_json(const MemoryEntry& entry) {
    ordered_json object = {{"limit", entry.limit}};
    put_nonempty(object, "usage", entry.usage);
    put_nonempty(object, "max", entry.max_usage);
    object["failcnt"] = entry.failcnt;
    return object;
}

ordered_json memory_json(const MemoryStats& memory) {
    ordered_json object = ordered_json::object();
    put_nonempty(object, "cache", memory.cache);
    object["usage"] = memory_entry_json(memory.usage);
    object["swap"] = memory_entry_json(memory.swap);
    object["kernel"] = memory_entry_json(memory.kernel);
    object["kernelTCP"] = memory_entry_json(memory.kernel_tcp);
    if (!memory.raw.empty()) {
        object["raw"] = memory.raw;
    }
    return object;
}

ordered_json blkio_entries_json(const std::vector<BlkioEntry>& entries) {
    ordered_json list = ordered_json::array();
    for (const BlkioEntry& entry : entries) {
        ordered_json object = ordered_json::object();
        put_nonempty(object, "major", entry.major);
        put_nonempty(object, "minor", entry.minor);
        put_nonempty(object, "op", entry.op);
        put_nonempty(object, "value", entry.value);
        list.push_back(object);
    }
    return list;
}

ordered_json blkio_json(const BlkioStats& blkio) {
    const std::pair<const char*, const std::vector<BlkioEntry>*> lists[] = {
        {"ioServiceBytesRecursive", &blkio.service_bytes},
        {"ioServicedRecursive", &blkio.serviced},
        {"ioQueueRecursive", &blkio.queued},
        {"ioServiceTimeRecursive", &blkio.service_time},
        {"ioWaitTimeRecursive", &blkio.wait_time},
        {"ioMergedRecursive", &blkio.merged},
        {"ioTimeRecursive", &blkio.time},
        {"sectorsRecursive", &blkio.sectors},
    };
    ordered_json object = ordered_json::object();
    for (const auto& [key, entries] : lists) {
        if (!entries->empty()) {
            object[key] = blkio_entries_json(*entries);
        }
    }
    return object;
}

ordered_json hugetlb_json(const std::map<std::string, HugetlbStats>& hugetlb) {
    ordered_json object = ordered_json::object();
    for (const auto& [size, stats] : hugetlb) {
        ordered_json entry = ordered_json::object();
        put_nonempty(entry, "usage", stats.usage);
        put_nonempty(entry, "max", stats.max_usage);
        entry["failcnt"] = stats.failcnt;
        object[size] = entry;
    }
    return object;
}

}  // namespace

ordered_json stats_to_json(const Stats& stats) {
    ordered_json pids = ordered_json::object();
    put_nonempty(pids, "current", stats.pids.current);
    put_nonempty(pids, "limit", stats.pids.limit);
    ordered_json data = ordered_json::object();
    data["cpu"] = cpu_json(stats.cpu);
    data["cpuset"] = cpuset_json(stats.cpuset);
    data["memory"] = memory_json(stats.memory);
    data["pids"] = pids;
    data["blkio"] = blkio_json(stats.blkio);
    data["hugetlb"] = hugetlb_json(stats.hugetlb);
    // NOTE: Intel RDT and network interface counters are not collected; these are the values
    // runc 1.1.5 writes for a container with neither.
    data["intel_rdt"] = ordered_json::object();
    data["network_interfaces"] = nullptr;
    return data;
}

ordered_json event_record(const std::string& type, const std::string& id, ordered_json data) {
    ordered_json record = {{"type", type}, {"id", id}};
    if (!data.is_null()) {
        record["data"] = std::move(data);
    }
    return record;
}

}  // namespace ocirun::cgroups
