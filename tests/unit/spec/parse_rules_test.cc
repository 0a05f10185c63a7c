// Each rule of the config parser, checked by one invalid config and its exact message.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "spec/parse.h"

namespace ocirun::spec {
namespace {

// A valid config that each case changes with a JSON merge patch (RFC 7396): objects merge,
// arrays and scalars replace, and null removes a member.
constexpr const char* kBaseConfig = R"({
    "ociVersion": "1.3.0",
    "root": {"path": "rootfs"},
    "process": {"cwd": "/", "args": ["sh"]},
    "linux": {}
})";

struct RuleCase {
    const char* name;
    const char* patch;
    const char* message;
};

std::string parse_error(const nlohmann::json& json) {
    try {
        parse_config(json);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid_spec) << e.what();
        return e.what();
    }
    return "(parsed without error)";
}

class ParseRule : public testing::TestWithParam<RuleCase> {};

TEST_P(ParseRule, RejectsWithMessage) {
    nlohmann::json config = nlohmann::json::parse(kBaseConfig);
    config.merge_patch(nlohmann::json::parse(GetParam().patch));
    EXPECT_EQ(parse_error(config), GetParam().message);
}

const RuleCase kRuleCases[] = {
    // ociVersion.
    {"OciVersionMissing", R"({"ociVersion": null})", "ociVersion: required field is missing"},
    {"OciVersionNotString", R"({"ociVersion": 1})", "ociVersion: expected a string, got 1"},
    // Root.
    {"RootPathMissing", R"({"root": {"path": null, "readonly": true}})",
     "root.path: required field is missing"},
    {"RootNotObject", R"({"root": "rootfs"})", "root: expected an object, got \"rootfs\""},
    {"RootReadonlyNotBool", R"({"root": {"readonly": "yes"}})",
     "root.readonly: expected a boolean, got \"yes\""},
    // Process.
    {"ProcessCwdRelative", R"({"process": {"cwd": "tmp"}})",
     "process.cwd: must be an absolute path, got \"tmp\""},
    {"ProcessCwdMissing", R"({"process": {"cwd": null}})",
     "process.cwd: required field is missing"},
    {"ProcessArgsNotArray", R"({"process": {"args": "sh"}})",
     "process.args: expected an array, got \"sh\""},
    {"ProcessEnvItemNotString", R"({"process": {"env": ["A=1", 5]}})",
     "process.env[1]: expected a string, got 5"},
    {"ProcessTerminalNotBool", R"({"process": {"terminal": 1}})",
     "process.terminal: expected a boolean, got 1"},
    {"ConsoleSizeWidthMissing", R"({"process": {"consoleSize": {"height": 24}}})",
     "process.consoleSize.width: required field is missing"},
    {"CapabilitiesSetNotArray", R"({"process": {"capabilities": {"bounding": "CAP_KILL"}}})",
     "process.capabilities.bounding: expected an array, got \"CAP_KILL\""},
    {"ExecCpuAffinityInvalid", R"({"process": {"execCPUAffinity": {"initial": "0-3;7"}}})",
     "process.execCPUAffinity.initial: invalid cpu list \"0-3;7\""},
    // Integer ranges.
    {"UserUidNegative", R"({"process": {"user": {"uid": -1}}})",
     "process.user.uid: expected an unsigned 32-bit integer, got -1"},
    {"UserGidTooLarge", R"({"process": {"user": {"gid": 4294967296}}})",
     "process.user.gid: expected an unsigned 32-bit integer, got 4294967296"},
    {"UserUidFraction", R"({"process": {"user": {"uid": 1.5}}})",
     "process.user.uid: expected an unsigned 32-bit integer, got 1.5"},
    {"UserUidString", R"({"process": {"user": {"uid": "0"}}})",
     "process.user.uid: expected an unsigned 32-bit integer, got \"0\""},
    {"AdditionalGidNegative", R"({"process": {"user": {"additionalGids": [1, -2]}}})",
     "process.user.additionalGids[1]: expected an unsigned 32-bit integer, got -2"},
    {"OomScoreAdjTooLarge", R"({"process": {"oomScoreAdj": 2147483648}})",
     "process.oomScoreAdj: expected a signed 32-bit integer, got 2147483648"},
    {"SchedulerNiceTooSmall",
     R"({"process": {"scheduler": {"policy": "SCHED_OTHER", "nice": -2147483649}}})",
     "process.scheduler.nice: expected a signed 32-bit integer, got -2147483649"},
    {"MemoryLimitTooLarge",
     R"({"linux": {"resources": {"memory": {"limit": 9223372036854775808}}}})",
     "linux.resources.memory.limit: expected a signed 64-bit integer, got 9223372036854775808"},
    {"CpuSharesNegative", R"({"linux": {"resources": {"cpu": {"shares": -1}}}})",
     "linux.resources.cpu.shares: expected an unsigned 64-bit integer, got -1"},
    {"BlockIoWeightTooLarge", R"({"linux": {"resources": {"blockIO": {"weight": 65536}}}})",
     "linux.resources.blockIO.weight: expected an unsigned 16-bit integer, got 65536"},
    {"DeviceMajorNotInteger",
     R"({"linux": {"devices": [{"type": "c", "path": "/dev/x", "major": "1", "minor": 3}]}})",
     "linux.devices[0].major: expected a signed 64-bit integer, got \"1\""},
    {"SyscallErrnoRetNegative",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1}]}}})",
     "linux.seccomp.syscalls[0].errnoRet: expected an unsigned 32-bit integer, got -1"},
    // Rlimits.
    {"RlimitUnknown",
     R"({"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
                                 {"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]}})",
     "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\""},
    {"RlimitDuplicate",
     R"({"process": {"rlimits": [{"type": "RLIMIT_RTTIME", "soft": 1, "hard": 1},
                                 {"type": "RLIMIT_RTTIME", "soft": 2, "hard": 2}]}})",
     "process.rlimits[1].type: duplicate rlimit \"RLIMIT_RTTIME\""},
    {"RlimitSoftMissing", R"({"process": {"rlimits": [{"type": "RLIMIT_CORE", "hard": 1}]}})",
     "process.rlimits[0].soft: required field is missing"},
    {"RlimitHardNegative",
     R"({"process": {"rlimits": [{"type": "RLIMIT_CORE", "soft": 0, "hard": -1}]}})",
     "process.rlimits[0].hard: expected an unsigned 64-bit integer, got -1"},
    {"RlimitTypeMissing", R"({"process": {"rlimits": [{"soft": 0, "hard": 0}]}})",
     "process.rlimits[0].type: required field is missing"},
    // Scheduler, I/O priority.
    {"SchedulerPolicyUnknown", R"({"process": {"scheduler": {"policy": "SCHED_FOO"}}})",
     "process.scheduler.policy: unknown scheduler policy \"SCHED_FOO\""},
    {"SchedulerPolicyMissing", R"({"process": {"scheduler": {"nice": 1}}})",
     "process.scheduler.policy: required field is missing"},
    {"SchedulerFlagUnknown",
     R"({"process": {"scheduler": {"policy": "SCHED_RR",
        "flags": ["SCHED_FLAG_RECLAIM", "SCHED_FLAG_FOO"]}}})",
     "process.scheduler.flags[1]: unknown scheduler flag \"SCHED_FLAG_FOO\""},
    {"IoPriorityClassUnknown", R"({"process": {"ioPriority": {"class": "IOPRIO_CLASS_NONE"}}})",
     "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\""},
    {"IoPriorityLevelTooLarge",
     R"({"process": {"ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 8}}})",
     "process.ioPriority.priority: must be between 0 and 7, got 8"},
    // Mounts.
    {"MountDestinationMissing", R"({"mounts": [{"source": "proc", "type": "proc"}]})",
     "mounts[0].destination: required field is missing"},
    {"MountsNotArray", R"({"mounts": {"destination": "/proc"}})",
     "mounts: expected an array, got an object"},
    {"MountOptionNotString", R"({"mounts": [{"destination": "/tmp", "options": ["ro", 1]}]})",
     "mounts[0].options[1]: expected a string, got 1"},
    {"MountUidMappingsAlone",
     R"({"mounts": [{"destination": "/data", "options": ["idmap"],
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]})",
     "mounts[0].gidMappings: required when uidMappings is set"},
    {"MountGidMappingsAlone",
     R"({"mounts": [{"destination": "/data", "options": ["idmap"],
        "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]})",
     "mounts[0].uidMappings: required when gidMappings is set"},
    // Id mappings.
    {"IdMappingSizeMissing", R"({"linux": {"uidMappings": [{"containerID": 0, "hostID": 1}]}})",
     "linux.uidMappings[0].size: required field is missing"},
    {"IdMappingHostIdNegative",
     R"({"linux": {"gidMappings": [{"containerID": 0, "hostID": -1, "size": 1}]}})",
     "linux.gidMappings[0].hostID: expected an unsigned 32-bit integer, got -1"},
    {"IdMappingContainerIdMissing", R"({"linux": {"uidMappings": [{"hostID": 1, "size": 1}]}})",
     "linux.uidMappings[0].containerID: required field is missing"},
    // Namespaces.
    {"NamespaceTypeUnknown", R"({"linux": {"namespaces": [{"type": "foo"}]}})",
     "linux.namespaces[0].type: unknown namespace type \"foo\""},
    {"NamespaceTypeDuplicate",
     R"({"linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "pid"}]}})",
     "linux.namespaces[2].type: duplicate namespace type \"pid\""},
    {"NamespaceTypeMissing", R"({"linux": {"namespaces": [{"path": "/proc/1/ns/pid"}]}})",
     "linux.namespaces[0].type: required field is missing"},
    {"NamespacePathRelative",
     R"({"linux": {"namespaces": [{"type": "network", "path": "run/netns/a"}]}})",
     "linux.namespaces[0].path: must be an absolute path, got \"run/netns/a\""},
    // Devices.
    {"DeviceTypeUnknown", R"({"linux": {"devices": [{"type": "x", "path": "/dev/x"}]}})",
     "linux.devices[0].type: unknown device type \"x\", expected \"c\", \"b\", \"u\" or \"p\""},
    {"DeviceMajorMissing",
     R"({"linux": {"devices": [{"type": "b", "path": "/dev/sda", "minor": 0}]}})",
     "linux.devices[0].major: required field is missing"},
    {"DeviceMinorMissing",
     R"({"linux": {"devices": [{"type": "u", "path": "/dev/null", "major": 1}]}})",
     "linux.devices[0].minor: required field is missing"},
    {"DevicePathMissing", R"({"linux": {"devices": [{"type": "p"}]}})",
     "linux.devices[0].path: required field is missing"},
    {"DeviceCgroupTypeUnknown",
     R"({"linux": {"resources": {"devices": [{"allow": true, "type": "p"}]}}})",
     "linux.resources.devices[0].type: unknown device type \"p\""},
    {"DeviceCgroupAccessInvalid",
     R"({"linux": {"resources": {"devices": [{"allow": true, "access": "rwx"}]}}})",
     "linux.resources.devices[0].access: invalid device access \"rwx\""},
    {"DeviceCgroupAllowMissing", R"({"linux": {"resources": {"devices": [{"access": "rwm"}]}}})",
     "linux.resources.devices[0].allow: required field is missing"},
    // Resources.
    {"HugepageSizeLowercase",
     R"({"linux": {"resources": {"hugepageLimits": [{"pageSize": "64kB", "limit": 1}]}}})",
     "linux.resources.hugepageLimits[0].pageSize: invalid hugepage size \"64kB\", expected a "
     "form such as \"2MB\""},
    {"HugepageSizeLeadingZero",
     R"({"linux": {"resources": {"hugepageLimits": [{"pageSize": "02MB", "limit": 1}]}}})",
     "linux.resources.hugepageLimits[0].pageSize: invalid hugepage size \"02MB\", expected a "
     "form such as \"2MB\""},
    {"HugepageLimitMissing",
     R"({"linux": {"resources": {"hugepageLimits": [{"pageSize": "2MB"}]}}})",
     "linux.resources.hugepageLimits[0].limit: required field is missing"},
    {"WeightDeviceWithoutWeight",
     R"({"linux": {"resources": {"blockIO": {"weightDevice": [{"major": 8, "minor": 0}]}}}})",
     "linux.resources.blockIO.weightDevice[0]: weight or leafWeight is required"},
    {"ThrottleDeviceRateMissing",
     R"({"linux": {"resources": {"blockIO":
        {"throttleReadBpsDevice": [{"major": 8, "minor": 0}]}}}})",
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field is missing"},
    {"RdmaLimitEmpty", R"({"linux": {"resources": {"rdma": {"mlx5_1": {}}}}})",
     "linux.resources.rdma.mlx5_1: hcaHandles or hcaObjects is required"},
    {"NetworkPriorityNameMissing",
     R"({"linux": {"resources": {"network": {"priorities": [{"priority": 1}]}}}})",
     "linux.resources.network.priorities[0].name: required field is missing"},
    {"UnifiedValueNotString", R"({"linux": {"resources": {"unified": {"memory.high": 1024}}}})",
     "linux.resources.unified[\"memory.high\"]: expected a string, got 1024"},
    // Seccomp.
    {"SeccompDefaultActionMissing", R"({"linux": {"seccomp": {"architectures": []}}})",
     "linux.seccomp.defaultAction: required field is missing"},
    {"SeccompDefaultActionUnknown", R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_FOO"}}})",
     "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_FOO\""},
    {"SeccompSyscallActionUnknown",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_DENY"}]}}})",
     "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_DENY\""},
    {"SeccompArchitectureUnknown",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]}}})",
     "linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_VAX\""},
    {"SeccompFlagUnknown",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["TSYNC"]}}})",
     "linux.seccomp.flags[0]: unknown seccomp flag \"TSYNC\""},
    {"SeccompOperatorUnknown",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]}}})",
     "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\""},
    {"SeccompArgValueMissing",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 0, "op": "SCMP_CMP_EQ"}]}]}}})",
     "linux.seccomp.syscalls[0].args[0].value: required field is missing"},
    {"SeccompSyscallNamesEmpty",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"}]}}})",
     "linux.seccomp.syscalls[0].names: must not be empty"},
    {"SeccompErrnoRetWithAllow",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_LOG", "errnoRet": 1}]}}})",
     "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, "
     "got action \"SCMP_ACT_LOG\""},
    {"SeccompDefaultErrnoRetWithKill",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 1}}})",
     "linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, "
     "got action \"SCMP_ACT_KILL\""},
    {"SeccompMetadataWithoutListener",
     R"({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"}}})",
     "linux.seccomp.listenerMetadata: must not be set without listenerPath"},
    // Other Linux settings.
    {"RootfsPropagationUnknown", R"({"linux": {"rootfsPropagation": "recursive"}})",
     "linux.rootfsPropagation: unknown rootfs propagation \"recursive\""},
    {"TimeOffsetsUnknownClock",
     R"({"linux": {"timeOffsets": {"monotonic": {"secs": 1}, "realtime": {"secs": 1}}}})",
     "linux.timeOffsets.realtime: unknown clock \"realtime\", expected \"boottime\" or "
     "\"monotonic\""},
    {"TimeOffsetNanosecsNegative", R"({"linux": {"timeOffsets": {"boottime": {"nanosecs": -1}}}})",
     "linux.timeOffsets.boottime.nanosecs: expected an unsigned 32-bit integer, got -1"},
    {"MemoryPolicyModeUnknown", R"({"linux": {"memoryPolicy": {"mode": "MPOL_FOO"}}})",
     "linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FOO\""},
    {"MemoryPolicyModeMissing", R"({"linux": {"memoryPolicy": {"nodes": "0"}}})",
     "linux.memoryPolicy.mode: required field is missing"},
    {"MemoryPolicyFlagUnknown",
     R"({"linux": {"memoryPolicy": {"mode": "MPOL_BIND", "flags": ["MPOL_F_NODE"]}}})",
     "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_NODE\""},
    {"PersonalityDomainUnknown", R"({"linux": {"personality": {"domain": "PER_BSD"}}})",
     "linux.personality.domain: unknown personality domain \"PER_BSD\""},
    {"IntelRdtMemBwSchemaPrefix", R"({"linux": {"intelRdt": {"memBwSchema": "L3:0=f"}}})",
     "linux.intelRdt.memBwSchema: must start with \"MB:\", got \"L3:0=f\""},
    {"NetDeviceNameNotString", R"({"linux": {"netDevices": {"eth0": {"name": 23}}}})",
     "linux.netDevices.eth0.name: expected a string, got 23"},
    {"SysctlValueNotString", R"({"linux": {"sysctl": {"net.ipv4.ip_forward": 1}}})",
     "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1"},
    {"LinuxNotObject", R"({"linux": ["pid"]})", "linux: expected an object, got an array"},
    // Hooks and annotations.
    {"HookTimeoutZero", R"({"hooks": {"poststop": [{"path": "/bin/true", "timeout": 0}]}})",
     "hooks.poststop[0].timeout: must be at least 1, got 0"},
    {"HookPathMissing", R"({"hooks": {"prestart": [{"args": ["x"]}]}})",
     "hooks.prestart[0].path: required field is missing"},
    {"HookPathRelative", R"({"hooks": {"createRuntime": [{"path": "bin/hook"}]}})",
     "hooks.createRuntime[0].path: must be an absolute path, got \"bin/hook\""},
    {"AnnotationEmptyKey", R"({"annotations": {"": "x"}})", "annotations: empty key"},
    {"AnnotationValueNotString", R"({"annotations": {"org.example.count": 2}})",
     "annotations[\"org.example.count\"]: expected a string, got 2"},
};

INSTANTIATE_TEST_SUITE_P(Config, ParseRule, testing::ValuesIn(kRuleCases),
                         [](const testing::TestParamInfo<RuleCase>& case_info) {
                             return std::string(case_info.param.name);
                         });

// A merge patch cannot replace the whole document, so this case is outside the table.
TEST(ParseRule, DocumentNotObject) {
    EXPECT_EQ(parse_error(nlohmann::json::array()), "expected an object, got an array");
}

TEST(ParseRule, LongValueShortened) {
    nlohmann::json config = nlohmann::json::parse(kBaseConfig);
    config["process"]["cwd"] = std::string(200, 'a');
    std::string message = parse_error(config);
    EXPECT_LT(message.size(), 150U) << message;
    EXPECT_TRUE(message.ends_with("...")) << message;
}

}  // namespace
}  // namespace ocirun::spec
