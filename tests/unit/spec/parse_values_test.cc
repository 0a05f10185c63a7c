// Values the config parser fills in, the leniencies runc has, and validate_for_create.
#include <gtest/gtest.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "spec/parse.h"

namespace ocirun::spec {
namespace {

Spec parse_text(const char* text) {
    return parse_config(nlohmann::json::parse(text));
}

TEST(ParseConfig, MinimalHasNoOptionalSections) {
    Spec spec = parse_text(R"({"ociVersion": "1.0.0"})");
    EXPECT_EQ(spec.oci_version, "1.0.0");
    EXPECT_FALSE(spec.root.has_value());
    EXPECT_FALSE(spec.process.has_value());
    EXPECT_FALSE(spec.linux_config.has_value());
    EXPECT_FALSE(spec.hooks.has_value());
    EXPECT_TRUE(spec.mounts.empty());
}

TEST(ParseConfig, NullCountsAsAbsent) {
    Spec spec = parse_text(R"({"ociVersion": "1.0.0", "process": null, "mounts": null,
                               "root": {"path": "r", "readonly": null}})");
    EXPECT_FALSE(spec.process.has_value());
    EXPECT_TRUE(spec.mounts.empty());

    ASSERT_TRUE(spec.root.has_value());
    EXPECT_FALSE(spec.root->readonly);
}

TEST(ParseConfig, UnknownPropertiesIgnored) {
    Spec spec = parse_text(R"({"ociVersion": "1.0.0", "vm": {"x": 1}, "future": [1],
                               "root": {"path": "r", "shiny": true},
                               "linux": {"newThing": {}, "namespaces": [{"type": "pid", "x": 1}]}})");
    ASSERT_TRUE(spec.linux_config.has_value());
    EXPECT_TRUE(spec.linux_config->has_namespace(NamespaceType::pid));
}

TEST(ParseConfig, ProcessFields) {
    Spec spec = parse_text(R"({"ociVersion": "1.3.0", "process": {
        "terminal": true, "consoleSize": {"height": 24, "width": 80},
        "user": {"uid": 1000, "gid": 4294967295, "umask": 18, "additionalGids": [5, 6]},
        "args": ["sh", "-c", "true"], "env": ["A=1"], "cwd": "/home",
        "capabilities": {"bounding": ["CAP_KILL", "CAP_NOT_REAL"], "ambient": []},
        "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 18446744073709551615},
                    {"type": "RLIMIT_RTTIME", "soft": 1, "hard": 2}],
        "noNewPrivileges": true, "apparmorProfile": "p", "oomScoreAdj": -1000,
        "selinuxLabel": "l",
        "scheduler": {"policy": "SCHED_DEADLINE", "flags": ["SCHED_FLAG_RESET_ON_FORK",
                      "SCHED_FLAG_UTIL_CLAMP_MAX"], "runtime": 10, "deadline": 20, "period": 30},
        "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 7},
        "execCPUAffinity": {"initial": "0-3,7", "final": "1"}}})");
    ASSERT_TRUE(spec.process.has_value());
    const Process& process = *spec.process;
    EXPECT_TRUE(process.terminal);

    ASSERT_TRUE(process.console_size.has_value());
    EXPECT_EQ(process.console_size->width, 80U);
    EXPECT_EQ(process.user.uid, 1000U);
    EXPECT_EQ(process.user.gid, 4294967295U);
    EXPECT_EQ(process.user.umask, 18U);
    EXPECT_EQ(process.user.additional_gids, (std::vector<uint32_t>{5, 6}));
    EXPECT_EQ(process.args.size(), 3U);
    EXPECT_EQ(process.cwd, "/home");

    ASSERT_TRUE(process.capabilities.has_value());
    EXPECT_EQ(process.capabilities->bounding->size(), 2U);
    EXPECT_TRUE(process.capabilities->ambient->empty());
    EXPECT_FALSE(process.capabilities->effective.has_value());

    ASSERT_EQ(process.rlimits.size(), 2U);
    EXPECT_EQ(process.rlimits[0].resource, RLIMIT_NOFILE);
    EXPECT_EQ(process.rlimits[0].hard, UINT64_MAX);
    EXPECT_EQ(process.rlimits[1].resource, RLIMIT_RTTIME);
    EXPECT_EQ(process.rlimits[1].type, "RLIMIT_RTTIME");
    EXPECT_EQ(process.oom_score_adj, -1000);

    ASSERT_TRUE(process.scheduler.has_value());
    EXPECT_EQ(process.scheduler->policy_value, SCHED_DEADLINE);
    EXPECT_EQ(process.scheduler->flags_value,
              static_cast<uint64_t>(SCHED_FLAG_RESET_ON_FORK | SCHED_FLAG_UTIL_CLAMP_MAX));
    EXPECT_EQ(process.scheduler->period, 30U);

    ASSERT_TRUE(process.io_priority.has_value());
    EXPECT_EQ(process.io_priority->class_value, IOPRIO_CLASS_IDLE);
    EXPECT_EQ(process.io_priority->priority, 7);

    ASSERT_TRUE(process.exec_cpu_affinity.has_value());
    EXPECT_EQ(process.exec_cpu_affinity->initial, "0-3,7");
}

TEST(ParseConfig, LinuxFields) {
    Spec spec = parse_text(R"({"ociVersion": "1.3.0", "linux": {
        "namespaces": [{"type": "network", "path": "/run/netns/a"}, {"type": "time"}],
        "timeOffsets": {"boottime": {"secs": -5, "nanosecs": 7}},
        "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229,
                     "fileMode": 438, "uid": 0, "gid": 0}, {"type": "p", "path": "/dev/fifo"}],
        "rootfsPropagation": "rslave",
        "memoryPolicy": {"mode": "MPOL_WEIGHTED_INTERLEAVE", "nodes": "0-1",
                         "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_NUMA_BALANCING"]},
        "personality": {"domain": "LINUX32"},
        "netDevices": {"eth0": {"name": "c0"}, "ens4": {}},
        "sysctl": {"net.ipv4.ip_forward": "1"},
        "intelRdt": {"closID": "g", "memBwSchema": "MB:0=20"}}})");
    ASSERT_TRUE(spec.linux_config.has_value());
    const Linux& linux_config = *spec.linux_config;

    ASSERT_NE(linux_config.find_namespace(NamespaceType::network), nullptr);
    EXPECT_EQ(linux_config.find_namespace(NamespaceType::network)->path, "/run/netns/a");
    EXPECT_TRUE(linux_config.has_namespace(NamespaceType::time));
    EXPECT_EQ(linux_config.time_offsets.at("boottime").secs, -5);
    EXPECT_EQ(linux_config.time_offsets.at("boottime").nanosecs, 7U);

    ASSERT_EQ(linux_config.devices.size(), 2U);
    EXPECT_EQ(linux_config.devices[0].type, 'c');
    EXPECT_EQ(linux_config.devices[0].minor, 229);
    EXPECT_EQ(linux_config.devices[0].file_mode, 438U);
    EXPECT_EQ(linux_config.devices[1].type, 'p');
    EXPECT_EQ(linux_config.rootfs_propagation, "rslave");

    ASSERT_TRUE(linux_config.memory_policy.has_value());
    EXPECT_EQ(linux_config.memory_policy->mode_value, 6);
    EXPECT_EQ(linux_config.memory_policy->flags_value, (1U << 15) | (1U << 13));

    ASSERT_TRUE(linux_config.personality.has_value());
    EXPECT_EQ(linux_config.personality->domain, "LINUX32");
    EXPECT_EQ(linux_config.net_devices.at("eth0").name, "c0");
    EXPECT_EQ(linux_config.net_devices.at("ens4").name, "");
    EXPECT_EQ(linux_config.sysctl.at("net.ipv4.ip_forward"), "1");

    ASSERT_TRUE(linux_config.intel_rdt.has_value());
    EXPECT_EQ(linux_config.intel_rdt->mem_bw_schema, "MB:0=20");
}

TEST(ParseConfig, ResourcesAndSeccomp) {
    Spec spec = parse_text(R"({"ociVersion": "1.3.0", "linux": {
        "resources": {"memory": {"limit": -1, "swappiness": 60}, "pids": {},
                      "cpu": {"quota": -1, "cpus": "0-1", "idle": 1},
                      "blockIO": {"weight": 10, "weightDevice": [{"major": 8, "minor": 0,
                                  "leafWeight": 5}]},
                      "hugepageLimits": [{"pageSize": "1GB", "limit": 0}],
                      "rdma": {"mlx4_0": {"hcaObjects": 1000}},
                      "unified": {"memory.high": "max"}},
        "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                    "flags": ["SECCOMP_FILTER_FLAG_LOG"], "listenerPath": "/run/agent.sock",
                    "listenerMetadata": "m",
                    "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                                  "args": [{"index": 0, "value": 8, "valueTwo": 0,
                                            "op": "SCMP_CMP_EQ"}]}]}}})");
    const Resources& resources = *spec.linux_config->resources;
    EXPECT_EQ(resources.memory->limit, -1);
    EXPECT_EQ(resources.memory->swappiness, 60U);

    ASSERT_TRUE(resources.pids.has_value());
    EXPECT_FALSE(resources.pids->limit.has_value());
    EXPECT_EQ(resources.cpu->quota, -1);
    EXPECT_EQ(resources.block_io->weight_device[0].leaf_weight, 5);
    EXPECT_FALSE(resources.block_io->weight_device[0].weight.has_value());
    EXPECT_EQ(resources.hugepage_limits[0].page_size, "1GB");
    EXPECT_EQ(resources.rdma.at("mlx4_0").hca_objects, 1000U);
    EXPECT_EQ(resources.unified.at("memory.high"), "max");

    const Seccomp& seccomp = *spec.linux_config->seccomp;
    EXPECT_EQ(seccomp.default_errno_ret, 38U);

    ASSERT_EQ(seccomp.syscalls.size(), 1U);
    EXPECT_EQ(seccomp.syscalls[0].args[0].value, 8U);
    EXPECT_EQ(seccomp.syscalls[0].args[0].op, "SCMP_CMP_EQ");
}

TEST(ParseConfig, HooksAndMounts) {
    Spec spec = parse_text(R"({"ociVersion": "1.3.0",
        "mounts": [{"destination": "data", "type": "none", "source": "/v", "options": ["idmap"],
                    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                    "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}],
        "hooks": {"poststart": [{"path": "/bin/hook", "args": ["hook", "a"], "timeout": 1}]},
        "annotations": {"org.example": "v"}})");
    ASSERT_EQ(spec.mounts.size(), 1U);
    EXPECT_EQ(spec.mounts[0].destination, "data");
    EXPECT_EQ(spec.mounts[0].uid_mappings[0].host_id, 100000U);
    EXPECT_EQ(spec.mounts[0].gid_mappings[0].size, 65536U);

    ASSERT_TRUE(spec.hooks.has_value());
    EXPECT_EQ(spec.hooks->poststart[0].timeout, 1);
    EXPECT_EQ(spec.annotations.at("org.example"), "v");
}

TEST(ParseProcess, ProcessJsonErrorsHaveNoPrefix) {
    try {
        parse_process(nlohmann::json::parse(R"({"cwd": "/", "user": {"uid": -1}})"));
        FAIL() << "parse_process accepted uid -1";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "user.uid: expected an unsigned 32-bit integer, got -1");
    }
}

TEST(ParseProcess, RequiresCwd) {
    try {
        parse_process(nlohmann::json::parse(R"({"args": ["sh"]})"));
        FAIL() << "parse_process accepted a process without cwd";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "cwd: required field is missing");
    }
}

std::string create_error(const char* text) {
    try {
        validate_for_create(parse_text(text));
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid_spec);
        return e.what();
    }
    return "(valid for create)";
}

TEST(ValidateForCreate, RequiresProcess) {
    EXPECT_EQ(create_error(R"({"ociVersion": "1", "root": {"path": "r"}})"),
              "process: required field is missing");
}

TEST(ValidateForCreate, RequiresRoot) {
    EXPECT_EQ(create_error(R"({"ociVersion": "1", "process": {"cwd": "/", "args": ["sh"]}})"),
              "root: required field is missing");
}

TEST(ValidateForCreate, RequiresArgs) {
    EXPECT_EQ(create_error(R"({"ociVersion": "1", "root": {"path": "r"},
                               "process": {"cwd": "/", "args": []}})"),
              "process.args: must not be empty");
}

TEST(ValidateForCreate, AcceptsComplete) {
    EXPECT_EQ(create_error(R"({"ociVersion": "1", "root": {"path": "r"},
                               "process": {"cwd": "/", "args": ["sh"]}})"),
              "(valid for create)");
}

}  // namespace
}  // namespace ocirun::spec
