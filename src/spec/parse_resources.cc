// Reader of linux.resources: the cgroup settings.
#include "spec/parse_sections.h"

namespace ocirun::spec::detail {
namespace {

// Checks a hugepage size against the spec's pattern ^[1-9][0-9]*[KMG]B$, e.g. "2MB".
bool is_valid_page_size(std::string_view size) {
    if (size.size() < 3 || size.back() != 'B') {
        return false;
    }
    char unit = size[size.size() - 2];
    if (unit != 'K' && unit != 'M' && unit != 'G') {
        return false;
    }
    std::string_view digits = size.substr(0, size.size() - 2);
    if (digits.front() == '0') {
        return false;
    }
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

}  // namespace

void read(const Json& value, const JsonPath& path, DeviceCgroupRule& out) {
    Object object(value, path);
    object.require("allow", out.allow);
    if (object.get("type", out.type) && out.type != "a" && out.type != "b" && out.type != "c") {
        fail(path.field("type"), "unknown device type " + describe(Json(out.type)));
    }
    object.get("major", out.major);
    object.get("minor", out.minor);
    if (object.get("access", out.access) &&
        out.access.find_first_not_of("rwm") != std::string::npos) {
        fail(path.field("access"), "invalid device access " + describe(Json(out.access)));
    }
}

void read(const Json& value, const JsonPath& path, MemoryResources& out) {
    Object object(value, path);
    object.get("limit", out.limit);
    object.get("reservation", out.reservation);
    object.get("swap", out.swap);
    object.get("kernel", out.kernel);
    object.get("kernelTCP", out.kernel_tcp);
    object.get("swappiness", out.swappiness);
    object.get("disableOOMKiller", out.disable_oom_killer);
    object.get("useHierarchy", out.use_hierarchy);
    object.get("checkBeforeUpdate", out.check_before_update);
}

void read(const Json& value, const JsonPath& path, CpuResources& out) {
    Object object(value, path);
    object.get("shares", out.shares);
    object.get("quota", out.quota);
    object.get("burst", out.burst);
    object.get("period", out.period);
    object.get("realtimeRuntime", out.realtime_runtime);
    object.get("realtimePeriod", out.realtime_period);
    object.get("cpus", out.cpus);
    object.get("mems", out.mems);
    object.get("idle", out.idle);
}

// The schema requires pids.limit, but runc accepts `"pids": {}`, so an absent limit is kept
// absent rather than rejected.
void read(const Json& value, const JsonPath& path, PidsResources& out) {
    Object object(value, path);
    object.get("limit", out.limit);
}

void read(const Json& value, const JsonPath& path, WeightDevice& out) {
    Object object(value, path);
    object.require("major", out.major);
    object.require("minor", out.minor);
    bool has_weight = object.get("weight", out.weight);
    bool has_leaf_weight = object.get("leafWeight", out.leaf_weight);
    if (!has_weight && !has_leaf_weight) {
        fail(path, "weight or leafWeight is required");
    }
}

void read(const Json& value, const JsonPath& path, ThrottleDevice& out) {
    Object object(value, path);
    object.require("major", out.major);
    object.require("minor", out.minor);
    object.require("rate", out.rate);
}

void read(const Json& value, const JsonPath& path, BlockIoResources& out) {
    Object object(value, path);
    object.get("weight", out.weight);
    object.get("leafWeight", out.leaf_weight);
    object.get("weightDevice", out.weight_device);
    object.get("throttleReadBpsDevice", out.throttle_read_bps_device);
    object.get("throttleWriteBpsDevice", out.throttle_write_bps_device);
    object.get("throttleReadIOPSDevice", out.throttle_read_iops_device);
    object.get("throttleWriteIOPSDevice", out.throttle_write_iops_device);
}

void read(const Json& value, const JsonPath& path, HugepageLimit& out) {
    Object object(value, path);
    object.require("pageSize", out.page_size);
    if (!is_valid_page_size(out.page_size)) {
        fail(path.field("pageSize"), "invalid hugepage size " + describe(Json(out.page_size)) +
                                         ", expected a form such as \"2MB\"");
    }
    object.require("limit", out.limit);
}

void read(const Json& value, const JsonPath& path, InterfacePriority& out) {
    Object object(value, path);
    object.require("name", out.name);
    object.require("priority", out.priority);
}

void read(const Json& value, const JsonPath& path, NetworkResources& out) {
    Object object(value, path);
    object.get("classID", out.class_id);
    object.get("priorities", out.priorities);
}

void read(const Json& value, const JsonPath& path, RdmaLimit& out) {
    Object object(value, path);
    bool has_handles = object.get("hcaHandles", out.hca_handles);
    bool has_objects = object.get("hcaObjects", out.hca_objects);
    if (!has_handles && !has_objects) {
        fail(path, "hcaHandles or hcaObjects is required");
    }
}

void read(const Json& value, const JsonPath& path, Resources& out) {
    Object object(value, path);
    object.get("devices", out.devices);
    object.get("memory", out.memory);
    object.get("cpu", out.cpu);
    object.get("pids", out.pids);
    object.get("blockIO", out.block_io);
    object.get("hugepageLimits", out.hugepage_limits);
    object.get("network", out.network);
    object.get("rdma", out.rdma);
    object.get("unified", out.unified);
}

}  // namespace ocirun::spec::detail
