// linux.resources as a runtime-spec JSON object: the form `update -r` reads and state.json keeps.
#include "cgroups/resources_json.h"

#include <string>

#include "base/error.h"
#include "spec/parse_sections.h"

namespace ocirun::cgroups {
namespace {

using nlohmann::json;

template <typename T>
void put(json& object, const char* key, const std::optional<T>& value) {
    if (value) {
        object[key] = *value;
    }
}

void put(json& object, const char* key, const std::string& value) {
    if (!value.empty()) {
        object[key] = value;
    }
}

json device_rule_json(const spec::DeviceCgroupRule& rule) {
    json object = {{"allow", rule.allow}};
    put(object, "type", rule.type);
    put(object, "major", rule.major);
    put(object, "minor", rule.minor);
    put(object, "access", rule.access);
    return object;
}

json memory_json(const spec::MemoryResources& memory) {
    json object = json::object();
    put(object, "limit", memory.limit);
    put(object, "reservation", memory.reservation);
    put(object, "swap", memory.swap);
    put(object, "kernel", memory.kernel);
    put(object, "kernelTCP", memory.kernel_tcp);
    put(object, "swappiness", memory.swappiness);
    put(object, "disableOOMKiller", memory.disable_oom_killer);
    put(object, "useHierarchy", memory.use_hierarchy);
    put(object, "checkBeforeUpdate", memory.check_before_update);
    return object;
}

json cpu_json(const spec::CpuResources& cpu) {
    json object = json::object();
    put(object, "shares", cpu.shares);
    put(object, "quota", cpu.quota);
    put(object, "burst", cpu.burst);
    put(object, "period", cpu.period);
    put(object, "realtimeRuntime", cpu.realtime_runtime);
    put(object, "realtimePeriod", cpu.realtime_period);
    put(object, "cpus", cpu.cpus);
    put(object, "mems", cpu.mems);
    put(object, "idle", cpu.idle);
    return object;
}

json throttle_json(const std::vector<spec::ThrottleDevice>& devices) {
    json list = json::array();
    for (const spec::ThrottleDevice& device : devices) {
        list.push_back({{"major", device.major}, {"minor", device.minor}, {"rate", device.rate}});
    }
    return list;
}

json block_io_json(const spec::BlockIoResources& blkio) {
    json object = json::object();
    put(object, "weight", blkio.weight);
    put(object, "leafWeight", blkio.leaf_weight);
    if (!blkio.weight_device.empty()) {
        json& list = object["weightDevice"] = json::array();
        for (const spec::WeightDevice& device : blkio.weight_device) {
            json entry = {{"major", device.major}, {"minor", device.minor}};
            put(entry, "weight", device.weight);
            put(entry, "leafWeight", device.leaf_weight);
            list.push_back(entry);
        }
    }
    const std::pair<const char*, const std::vector<spec::ThrottleDevice>*> throttles[] = {
        {"throttleReadBpsDevice", &blkio.throttle_read_bps_device},
        {"throttleWriteBpsDevice", &blkio.throttle_write_bps_device},
        {"throttleReadIOPSDevice", &blkio.throttle_read_iops_device},
        {"throttleWriteIOPSDevice", &blkio.throttle_write_iops_device},
    };
    for (const auto& [key, devices] : throttles) {
        if (!devices->empty()) {
            object[key] = throttle_json(*devices);
        }
    }
    return object;
}

json network_json(const spec::NetworkResources& network) {
    json object = json::object();
    put(object, "classID", network.class_id);
    if (!network.priorities.empty()) {
        json& list = object["priorities"] = json::array();
        for (const spec::InterfacePriority& priority : network.priorities) {
            list.push_back({{"name", priority.name}, {"priority", priority.priority}});
        }
    }
    return object;
}

}  // namespace

json resources_to_json(const spec::Resources& resources) {
    json object = json::object();
    if (!resources.devices.empty()) {
        json& list = object["devices"] = json::array();
        for (const spec::DeviceCgroupRule& rule : resources.devices) {
            list.push_back(device_rule_json(rule));
        }
    }
    if (resources.memory) {
        object["memory"] = memory_json(*resources.memory);
    }
    if (resources.cpu) {
        object["cpu"] = cpu_json(*resources.cpu);
    }
    if (resources.pids) {
        json& pids = object["pids"] = json::object();
        put(pids, "limit", resources.pids->limit);
    }
    if (resources.block_io) {
        object["blockIO"] = block_io_json(*resources.block_io);
    }
    if (!resources.hugepage_limits.empty()) {
        json& list = object["hugepageLimits"] = json::array();
        for (const spec::HugepageLimit& limit : resources.hugepage_limits) {
            list.push_back({{"pageSize", limit.page_size}, {"limit", limit.limit}});
        }
    }
    if (resources.network) {
        object["network"] = network_json(*resources.network);
    }
    for (const auto& [device, limit] : resources.rdma) {
        json entry = json::object();
        put(entry, "hcaHandles", limit.hca_handles);
        put(entry, "hcaObjects", limit.hca_objects);
        object["rdma"][device] = entry;
    }
    if (!resources.unified.empty()) {
        object["unified"] = resources.unified;
    }
    return object;
}

spec::Resources resources_from_json(const nlohmann::json& json, std::string_view source) {
    spec::Resources resources;
    try {
        spec::detail::read(json, spec::detail::JsonPath(), resources);
    } catch (const Error& error) {
        throw error.with_context(source);
    }
    return resources;
}

}  // namespace ocirun::cgroups
