// The features document: what this build of ocirun recognizes, from the parsers' own tables.
#include "container/features.h"

#include <seccomp.h>

#include <string>

#include "base/version.h"
#include "rootfs/mount_options.h"
#include "security/capabilities.h"
#include "security/seccomp_flags.h"
#include "security/seccomp_names.h"
#include "spec/spec.h"

namespace ocirun::container {

namespace {

using Json = nlohmann::ordered_json;

// The oldest config.json version ocirun accepts. The parser reads any ociVersion value.
constexpr const char* kOciVersionMin = "1.0.0";

Json names_json(const std::vector<std::string_view>& names) {
    Json list = Json::array();
    for (std::string_view name : names) {
        list.push_back(std::string(name));
    }
    return list;
}

Json enabled(bool value) {
    return Json{{"enabled", value}};
}

Json namespaces_json() {
    Json list = Json::array();
    // NamespaceType::time is the last enumerator.
    for (int value = 0; value <= static_cast<int>(spec::NamespaceType::time); ++value) {
        list.push_back(spec::namespace_type_name(static_cast<spec::NamespaceType>(value)));
    }
    return list;
}

Json seccomp_json(const security::SeccompFlagProbe& accepts) {
    std::vector<std::string_view> known_flags = security::seccomp_flag_names();
    return Json{
        {"enabled", true},
        {"actions", names_json(security::seccomp_action_names())},
        {"operators", names_json(security::seccomp_operator_names())},
        {"archs", names_json(security::seccomp_arch_names())},
        {"knownFlags", names_json(known_flags)},
        {"supportedFlags", names_json(supported_seccomp_flags(known_flags, accepts))},
    };
}

Json linux_json(const security::SeccompFlagProbe& accepts) {
    return Json{
        {"namespaces", namespaces_json()},
        {"capabilities", security::known_capability_names()},
        // The systemd driver talks to the system instance only, so systemdUser is false.
        {"cgroup",
         {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false}, {"rdma", true}}},
        {"seccomp", seccomp_json(accepts)},
        {"apparmor", enabled(true)},
        {"selinux", enabled(true)},
        // create rejects linux.intelRdt, because writing resctrl is not implemented.
        {"intelRdt", {{"enabled", false}, {"schemata", false}, {"monitoring", false}}},
        {"memoryPolicy",
         {{"modes", names_json(memory_policy_modes())},
          {"flags", names_json(memory_policy_flags())}}},
        {"mountExtensions", {{"idmap", enabled(true)}}},
        {"netDevices", enabled(true)},
    };
}

Json annotations_json() {
    const scmp_version* version = seccomp_version();
    return Json{
        {"io.github.seccomp.libseccomp.version", std::to_string(version->major) + "." +
                                                     std::to_string(version->minor) + "." +
                                                     std::to_string(version->micro)},
    };
}

}  // namespace

std::vector<std::string_view> hook_names() {
    return {"prestart",       "createRuntime", "createContainer",
            "startContainer", "poststart",     "poststop"};
}

// NOTE: these repeat the tables of spec/parse_linux.cc, which keeps them private. The unit
// tests parse each name to keep the copies in step.
std::vector<std::string_view> memory_policy_modes() {
    return {"MPOL_DEFAULT",
            "MPOL_PREFERRED",
            "MPOL_BIND",
            "MPOL_INTERLEAVE",
            "MPOL_LOCAL",
            "MPOL_PREFERRED_MANY",
            "MPOL_WEIGHTED_INTERLEAVE"};
}

std::vector<std::string_view> memory_policy_flags() {
    return {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"};
}

std::vector<std::string_view> behavior_changing_annotations() {
    return {"org.systemd.property."};
}

std::vector<std::string_view> supported_seccomp_flags(const std::vector<std::string_view>& known,
                                                      const security::SeccompFlagProbe& accepts) {
    std::vector<std::string_view> supported;
    for (std::string_view name : known) {
        if (accepts(security::parse_seccomp_flag(std::string(name)))) {
            supported.push_back(name);
        }
    }
    return supported;
}

nlohmann::ordered_json features_document(const security::SeccompFlagProbe& accepts) {
    return Json{
        {"ociVersionMin", kOciVersionMin},
        {"ociVersionMax", kSpecVersion},
        {"hooks", names_json(hook_names())},
        {"mountOptions", names_json(rootfs::mount_option_names())},
        {"linux", linux_json(accepts)},
        {"annotations", annotations_json()},
        {"potentiallyUnsafeConfigAnnotations", names_json(behavior_changing_annotations())},
    };
}

}  // namespace ocirun::container
