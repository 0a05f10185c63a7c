// Reader of the linux object: namespaces, id mappings, devices and the smaller Linux settings.
#include <array>

#include "spec/parse_sections.h"

namespace ocirun::spec::detail {
namespace {

constexpr std::array<EnumName<NamespaceType>, 8> kNamespaceTypes{{
    {"pid", NamespaceType::pid},
    {"network", NamespaceType::network},
    {"mount", NamespaceType::mount},
    {"ipc", NamespaceType::ipc},
    {"uts", NamespaceType::uts},
    {"user", NamespaceType::user},
    {"cgroup", NamespaceType::cgroup},
    {"time", NamespaceType::time},
}};

// The spec lists the first four. runc (libcontainer/specconv) also accepts the recursive forms,
// so configs written for runc may use them.
constexpr std::array<std::string_view, 8> kRootfsPropagations{
    "private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable",
};

// MPOL_* values of <linux/mempolicy.h>; Debian 12's headers predate MPOL_WEIGHTED_INTERLEAVE
// (Linux 6.9), so the numbers are written out.
constexpr std::array<EnumName<int>, 7> kMemoryPolicyModes{{
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
}};

constexpr std::array<EnumName<unsigned>, 3> kMemoryPolicyFlags{{
    {"MPOL_F_NUMA_BALANCING", 1U << 13},
    {"MPOL_F_RELATIVE_NODES", 1U << 14},
    {"MPOL_F_STATIC_NODES", 1U << 15},
}};

constexpr std::array<std::string_view, 2> kPersonalityDomains{"LINUX", "LINUX32"};

// Clocks a time namespace can offset (time_namespaces(7)).
constexpr std::array<std::string_view, 2> kTimeOffsetClocks{"boottime", "monotonic"};

bool contains(std::span<const std::string_view> names, std::string_view name) {
    for (std::string_view known : names) {
        if (known == name) {
            return true;
        }
    }
    return false;
}

void check_no_newline(std::string_view text, const JsonPath& path) {
    if (text.find('\n') != std::string_view::npos) {
        fail(path, "must not contain a newline");
    }
}

void check_unique_namespaces(const std::vector<Namespace>& namespaces, const JsonPath& path) {
    unsigned seen = 0;
    for (std::size_t i = 0; i < namespaces.size(); ++i) {
        unsigned bit = 1U << static_cast<unsigned>(namespaces[i].type);
        if ((seen & bit) != 0) {
            fail(path.item(i).field("type"),
                 "duplicate namespace type " +
                     describe(Json(namespace_type_name(namespaces[i].type))));
        }
        seen |= bit;
    }
}

void read_time_offsets(const Object& linux_object, std::map<std::string, TimeOffset>& out) {
    const Json* offsets = linux_object.find("timeOffsets");
    if (offsets == nullptr) {
        return;
    }
    JsonPath path = linux_object.path().field("timeOffsets");
    Object object(*offsets, path);
    for (const auto& [clock, _] : offsets->items()) {
        if (!contains(kTimeOffsetClocks, clock)) {
            fail(path.field(clock), "unknown clock " + describe(Json(clock)) +
                                        ", expected \"boottime\" or \"monotonic\"");
        }
    }
    read(*offsets, path, out);
}

}  // namespace

void read(const Json& value, const JsonPath& path, IdMapping& out) {
    Object object(value, path);
    object.require("containerID", out.container_id);
    object.require("hostID", out.host_id);
    object.require("size", out.size);
}

void read(const Json& value, const JsonPath& path, Namespace& out) {
    Object object(value, path);
    const Json* type = object.find("type");
    if (type == nullptr) {
        fail(path.field("type"), "required field is missing");
    }
    std::string name;
    out.type = read_enum<NamespaceType>(*type, path.field("type"), kNamespaceTypes,
                                        "namespace type", name);
    if (object.get("path", out.path) && !out.path.empty()) {
        check_absolute(out.path, path.field("path"));
    }
}

void read(const Json& value, const JsonPath& path, Device& out) {
    Object object(value, path);
    std::string type;
    object.require("type", type);
    if (type != "c" && type != "b" && type != "u" && type != "p") {
        fail(path.field("type"), "unknown device type " + describe(Json(type)) +
                                     ", expected \"c\", \"b\", \"u\" or \"p\"");
    }
    out.type = type[0];
    object.require("path", out.path);
    if (out.type == 'p') {
        object.get("major", out.major);
        object.get("minor", out.minor);
    } else {
        object.require("major", out.major);
        object.require("minor", out.minor);
    }
    object.get("fileMode", out.file_mode);
    object.get("uid", out.uid);
    object.get("gid", out.gid);
}

void read(const Json& value, const JsonPath& path, TimeOffset& out) {
    Object object(value, path);
    object.get("secs", out.secs);
    object.get("nanosecs", out.nanosecs);
}

void read(const Json& value, const JsonPath& path, NetDevice& out) {
    Object object(value, path);
    object.get("name", out.name);
}

void read(const Json& value, const JsonPath& path, IntelRdt& out) {
    Object object(value, path);
    object.get("closID", out.clos_id);
    if (object.get("schemata", out.schemata)) {
        JsonPath schemata_path = path.field("schemata");
        for (std::size_t i = 0; i < out.schemata.size(); ++i) {
            check_no_newline(out.schemata[i], schemata_path.item(i));
        }
    }
    object.get("l3CacheSchema", out.l3_cache_schema);
    if (object.get("memBwSchema", out.mem_bw_schema)) {
        if (!out.mem_bw_schema.starts_with("MB:")) {
            fail(path.field("memBwSchema"),
                 "must start with \"MB:\", got " + describe(Json(out.mem_bw_schema)));
        }
        check_no_newline(out.mem_bw_schema, path.field("memBwSchema"));
    }
    object.get("enableMonitoring", out.enable_monitoring);
}

void read(const Json& value, const JsonPath& path, MemoryPolicy& out) {
    Object object(value, path);
    const Json* mode = object.find("mode");
    if (mode == nullptr) {
        fail(path.field("mode"), "required field is missing");
    }
    out.mode_value = read_enum<int>(*mode, path.field("mode"), kMemoryPolicyModes,
                                    "memory policy mode", out.mode);
    object.get("nodes", out.nodes);
    if (object.get("flags", out.flags)) {
        JsonPath flags_path = path.field("flags");
        for (std::size_t i = 0; i < out.flags.size(); ++i) {
            out.flags_value |= lookup_enum<unsigned>(out.flags[i], kMemoryPolicyFlags,
                                                     "memory policy flag", flags_path.item(i));
        }
    }
}

void read(const Json& value, const JsonPath& path, Personality& out) {
    Object object(value, path);
    object.require("domain", out.domain);
    if (!contains(kPersonalityDomains, out.domain)) {
        fail(path.field("domain"), "unknown personality domain " + describe(Json(out.domain)));
    }
    object.get("flags", out.flags);
}

void read(const Json& value, const JsonPath& path, Linux& out) {
    Object object(value, path);
    if (object.get("namespaces", out.namespaces)) {
        check_unique_namespaces(out.namespaces, path.field("namespaces"));
    }
    object.get("uidMappings", out.uid_mappings);
    object.get("gidMappings", out.gid_mappings);
    read_time_offsets(object, out.time_offsets);
    object.get("devices", out.devices);
    object.get("cgroupsPath", out.cgroups_path);
    object.get("resources", out.resources);
    object.get("rootfsPropagation", out.rootfs_propagation);
    if (!out.rootfs_propagation.empty() && !contains(kRootfsPropagations, out.rootfs_propagation)) {
        fail(path.field("rootfsPropagation"),
             "unknown rootfs propagation " + describe(Json(out.rootfs_propagation)));
    }
    object.get("seccomp", out.seccomp);
    object.get("sysctl", out.sysctl);
    object.get("maskedPaths", out.masked_paths);
    object.get("readonlyPaths", out.readonly_paths);
    object.get("mountLabel", out.mount_label);
    object.get("intelRdt", out.intel_rdt);
    object.get("memoryPolicy", out.memory_policy);
    object.get("personality", out.personality);
    object.get("netDevices", out.net_devices);
}

}  // namespace ocirun::spec::detail
