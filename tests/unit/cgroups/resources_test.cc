// linux.resources written into a fake cgroup tree, for v1 controllers and cgroup v2.
#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"
#include "fake_tree.h"

namespace ocirun::cgroups {
namespace {

using testing::FakeTree;

std::string contents(const std::string& directory, const std::string& name) {
    return read_control(directory, name);
}

class ResourcesV1 : public ::testing::Test {
  protected:
    FakeTree tree_;
};

TEST_F(ResourcesV1, MemoryFiles) {
    std::string memory = tree_.add("memory", {{"memory.limit_in_bytes", "9223372036854771712"},
                                              {"memory.memsw.limit_in_bytes", ""},
                                              {"memory.soft_limit_in_bytes", ""},
                                              {"memory.swappiness", ""},
                                              {"memory.oom_control", ""}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 100 << 20;
    resources.memory->swap = 200 << 20;
    resources.memory->reservation = 50 << 20;
    resources.memory->swappiness = 10;
    resources.memory->disable_oom_killer = true;
    apply_resources({{"memory", memory}}, resources);
    EXPECT_EQ(contents(memory, "memory.limit_in_bytes"), std::to_string(100 << 20));
    EXPECT_EQ(contents(memory, "memory.memsw.limit_in_bytes"), std::to_string(200 << 20));
    EXPECT_EQ(contents(memory, "memory.soft_limit_in_bytes"), std::to_string(50 << 20));
    EXPECT_EQ(contents(memory, "memory.swappiness"), "10");
    EXPECT_EQ(contents(memory, "memory.oom_control"), "1");
}

TEST_F(ResourcesV1, UnlimitedMemoryMakesSwapUnlimited) {
    std::string memory = tree_.add(
        "memory", {{"memory.limit_in_bytes", "100"}, {"memory.memsw.limit_in_bytes", "200"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = -1;
    apply_resources({{"memory", memory}}, resources);
    EXPECT_EQ(contents(memory, "memory.limit_in_bytes"), "-1");
    EXPECT_EQ(contents(memory, "memory.memsw.limit_in_bytes"), "-1");
}

TEST_F(ResourcesV1, SwappinessOutOfRange) {
    std::string memory = tree_.add("memory", {{"memory.swappiness", ""}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->swappiness = 101;
    EXPECT_THROW(apply_resources({{"memory", memory}}, resources), Error);
}

TEST_F(ResourcesV1, KernelMemoryIgnored) {
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->kernel = 1 << 20;
    EXPECT_NO_THROW(apply_resources({}, resources));
}

TEST_F(ResourcesV1, CpuAndCpusetFiles) {
    std::string cpu = tree_.add("cpu", {{"cpu.shares", ""},
                                        {"cpu.cfs_quota_us", ""},
                                        {"cpu.cfs_period_us", ""},
                                        {"cpu.rt_period_us", ""},
                                        {"cpu.rt_runtime_us", ""}});
    std::string cpuset = tree_.add("cpuset", {{"cpuset.cpus", ""}, {"cpuset.mems", ""}});
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->shares = 512;
    resources.cpu->quota = 50000;
    resources.cpu->period = 100000;
    resources.cpu->realtime_period = 1000000;
    resources.cpu->realtime_runtime = 10000;
    resources.cpu->cpus = "0";
    resources.cpu->mems = "0";
    apply_resources({{"cpu", cpu}, {"cpuacct", cpu}, {"cpuset", cpuset}}, resources);
    EXPECT_EQ(contents(cpu, "cpu.shares"), "512");
    EXPECT_EQ(contents(cpu, "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(contents(cpu, "cpu.cfs_period_us"), "100000");
    EXPECT_EQ(contents(cpu, "cpu.rt_period_us"), "1000000");
    EXPECT_EQ(contents(cpu, "cpu.rt_runtime_us"), "10000");
    EXPECT_EQ(contents(cpuset, "cpuset.cpus"), "0");
    EXPECT_EQ(contents(cpuset, "cpuset.mems"), "0");
}

TEST_F(ResourcesV1, PidsLimit) {
    std::string pids = tree_.add("pids", {{"pids.max", ""}});
    spec::Resources resources;
    resources.pids = spec::PidsResources{100};
    apply_resources({{"pids", pids}}, resources);
    EXPECT_EQ(contents(pids, "pids.max"), "100");
    resources.pids = spec::PidsResources{-1};
    apply_resources({{"pids", pids}}, resources);
    EXPECT_EQ(contents(pids, "pids.max"), "max");
}

TEST_F(ResourcesV1, BlkioWeightAndThrottle) {
    std::string blkio = tree_.add("blkio", {{"blkio.bfq.weight", ""},
                                            {"blkio.throttle.read_bps_device", ""},
                                            {"blkio.throttle.write_iops_device", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->weight = 300;
    resources.block_io->throttle_read_bps_device = {{8, 0, 1048576}};
    resources.block_io->throttle_write_iops_device = {{8, 16, 100}};
    apply_resources({{"blkio", blkio}}, resources);
    EXPECT_EQ(contents(blkio, "blkio.bfq.weight"), "300");
    EXPECT_EQ(contents(blkio, "blkio.throttle.read_bps_device"), "8:0 1048576");
    EXPECT_EQ(contents(blkio, "blkio.throttle.write_iops_device"), "8:16 100");
}

TEST_F(ResourcesV1, BlkioWeightWithoutSchedulerRejected) {
    std::string blkio = tree_.add("blkio", {{"blkio.throttle.read_bps_device", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->weight = 300;
    try {
        apply_resources({{"blkio", blkio}}, resources);
        FAIL() << "weight accepted without a weight file";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
        EXPECT_NE(std::string(error.what()).find("blkio.weight"), std::string::npos);
    }
}

TEST_F(ResourcesV1, HugetlbLimit) {
    std::string hugetlb = tree_.add("hugetlb", {{"hugetlb.2MB.limit_in_bytes", ""}});
    spec::Resources resources;
    resources.hugepage_limits = {{"2MB", 4194304}};
    apply_resources({{"hugetlb", hugetlb}}, resources);
    EXPECT_EQ(contents(hugetlb, "hugetlb.2MB.limit_in_bytes"), "4194304");
    resources.hugepage_limits = {{"16MB", 4194304}};
    EXPECT_THROW(apply_resources({{"hugetlb", hugetlb}}, resources), Error);
}

TEST_F(ResourcesV1, NetworkClassAndPriority) {
    std::string net = tree_.add("net", {{"net_cls.classid", ""}, {"net_prio.ifpriomap", ""}});
    spec::Resources resources;
    resources.network = spec::NetworkResources{0x100001, {{"eth0", 5}}};
    apply_resources({{"net_cls", net}, {"net_prio", net}}, resources);
    EXPECT_EQ(contents(net, "net_cls.classid"), "1048577");
    EXPECT_EQ(contents(net, "net_prio.ifpriomap"), "eth0 5");
}

TEST_F(ResourcesV1, DeviceRuleFile) {
    std::string devices = tree_.add("devices", {{"devices.allow", ""}, {"devices.deny", ""}});
    spec::Resources resources;
    resources.devices = {{false, "", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, 3, "rwm"}};
    apply_resources({{"devices", devices}}, resources);
    EXPECT_EQ(contents(devices, "devices.deny"), "a *:* rwm");
    EXPECT_EQ(contents(devices, "devices.allow"), "c 1:3 rwm");
}

// Each rule is its own write(2), which cgroupfs takes as one entry; in this fake tree of regular
// files the writes follow each other.
TEST_F(ResourcesV1, ConsecutiveDeviceRulesEachWritten) {
    std::string devices = tree_.add("devices", {{"devices.allow", ""}, {"devices.deny", ""}});
    spec::Resources resources;
    resources.devices = {{false, "", std::nullopt, std::nullopt, "rwm"},
                         {true, "c", 1, 3, "rwm"},
                         {true, "c", 1, 5, "rw"},
                         {false, "b", 8, std::nullopt, "m"}};
    apply_resources({{"devices", devices}}, resources);
    EXPECT_EQ(contents(devices, "devices.allow"), "c 1:3 rwmc 1:5 rw");
    EXPECT_EQ(contents(devices, "devices.deny"), "b 8:* m");
}

TEST_F(ResourcesV1, MissingControllerRejected) {
    spec::Resources resources;
    resources.pids = spec::PidsResources{10};
    try {
        apply_resources({{"memory", tree_.add("memory", {})}}, resources);
        FAIL() << "pids limit accepted without a pids controller";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
        EXPECT_NE(std::string(error.what()).find("pids"), std::string::npos);
    }
}

TEST_F(ResourcesV1, UnifiedNeedsCgroupV2) {
    spec::Resources resources;
    resources.unified = {{"memory.high", "100"}};
    EXPECT_THROW(apply_resources({{"memory", tree_.add("memory", {})}}, resources), Error);
}

class ResourcesV2 : public ::testing::Test {
  protected:
    std::string add_unified(const std::string& controllers,
                            std::initializer_list<std::pair<std::string, std::string>> files) {
        return tree_.add_unified("unified", controllers, files);
    }
    FakeTree tree_;
};

TEST_F(ResourcesV2, MemoryFiles) {
    std::string unified =
        add_unified("memory", {{"memory.max", ""}, {"memory.swap.max", ""}, {"memory.low", ""}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 1000;
    resources.memory->swap = 3000;
    resources.memory->reservation = 500;
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "memory.max"), "1000");
    EXPECT_EQ(contents(unified, "memory.swap.max"), "2000");
    EXPECT_EQ(contents(unified, "memory.low"), "500");
}

TEST_F(ResourcesV2, UnlimitedMemoryWithoutSwapFile) {
    std::string unified = add_unified("memory", {{"memory.max", ""}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = -1;
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "memory.max"), "max");
}

TEST_F(ResourcesV2, CpuWeightAndMax) {
    std::string unified = add_unified(
        "cpu cpuset",
        {{"cpu.weight", ""}, {"cpu.max", ""}, {"cpuset.cpus", ""}, {"cpuset.mems", ""}});
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->shares = 1024;
    resources.cpu->quota = 50000;
    resources.cpu->period = 100000;
    resources.cpu->cpus = "0-1";
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "cpu.weight"), "39");
    EXPECT_EQ(contents(unified, "cpu.max"), "50000 100000");
    EXPECT_EQ(contents(unified, "cpuset.cpus"), "0-1");
}

TEST_F(ResourcesV2, RealtimeRejected) {
    std::string unified = add_unified("cpu", {{"cpu.max", ""}});
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->realtime_runtime = 1000;
    EXPECT_THROW(apply_resources({{"", unified}}, resources), Error);
}

TEST_F(ResourcesV2, IoWeightAndMax) {
    std::string unified = add_unified("io", {{"io.weight", ""}, {"io.max", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->weight = 500;
    resources.block_io->throttle_write_bps_device = {{8, 0, 2048}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.weight"), "4950");
    EXPECT_EQ(contents(unified, "io.max"), "8:0 wbps=2048");
}

TEST_F(ResourcesV2, HugetlbMax) {
    std::string unified = add_unified("hugetlb", {{"hugetlb.2MB.max", ""}});
    spec::Resources resources;
    resources.hugepage_limits = {{"2MB", 2097152}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "hugetlb.2MB.max"), "2097152");
}

TEST_F(ResourcesV2, ControllerNotEnabledRejected) {
    std::string unified = add_unified("hugetlb", {{"pids.max", ""}});
    spec::Resources resources;
    resources.pids = spec::PidsResources{10};
    EXPECT_THROW(apply_resources({{"", unified}}, resources), Error);
}

TEST_F(ResourcesV2, V1ControllerPreferredInHybrid) {
    std::string unified = add_unified("pids", {{"pids.max", ""}});
    std::string pids = tree_.add("pids", {{"pids.max", ""}});
    spec::Resources resources;
    resources.pids = spec::PidsResources{7};
    apply_resources({{"", unified}, {"pids", pids}}, resources);
    EXPECT_EQ(contents(pids, "pids.max"), "7");
    EXPECT_EQ(contents(unified, "pids.max"), "");
}

TEST_F(ResourcesV2, UnifiedFiles) {
    std::string unified = add_unified("memory", {{"memory.high", ""}});
    spec::Resources resources;
    resources.unified = {{"memory.high", "12345"}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "memory.high"), "12345");
    resources.unified = {{"../memory.high", "1"}};
    EXPECT_THROW(apply_resources({{"", unified}}, resources), Error);
    resources.unified = {{"memory.missing", "1"}};
    EXPECT_THROW(apply_resources({{"", unified}}, resources), Error);
}

TEST_F(ResourcesV2, DeviceRulesNeedRealCgroup) {
    // The rules become an eBPF program, which only a cgroup v2 directory accepts.
    std::string unified = add_unified("memory", {});
    spec::Resources resources;
    resources.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"}};
    EXPECT_THROW(apply_resources({{"", unified}}, resources), Error);
}

TEST(DefaultDeviceRules, RuncDefaultsThenSpecDevices) {
    spec::Device fuse;
    fuse.type = 'c';
    fuse.path = "/dev/fuse";
    fuse.major = 10;
    fuse.minor = 229;
    std::vector<spec::DeviceCgroupRule> rules = default_device_rules({fuse});
    ASSERT_EQ(rules.size(), 12u);
    EXPECT_TRUE(rules[0].allow);
    EXPECT_EQ(rules[0].access, "m");
    EXPECT_EQ(rules[2].major, 1);
    EXPECT_EQ(rules[2].minor, 3);
    EXPECT_EQ(rules.back().major, 10);
    EXPECT_EQ(rules.back().minor, 229);
    EXPECT_EQ(rules.back().access, "rwm");
}

}  // namespace
}  // namespace ocirun::cgroups
