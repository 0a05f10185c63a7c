// The linux.resources fields that resources_test.cc leaves out, written into a fake cgroup tree
// for v1 controllers and for cgroup v2, with the v1-to-v2 conversions and the error paths of
// files that a kernel may lack.
#include <gtest/gtest.h>

#include <cstdint>

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

// Returns the message of the Error that `resources` raises when applied to `paths`, or "".
std::string apply_error(const CgroupPaths& paths, const spec::Resources& resources,
                        ErrorKind* kind = nullptr) {
    try {
        apply_resources(paths, resources);
    } catch (const Error& error) {
        if (kind != nullptr) {
            *kind = error.kind();
        }
        return error.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(FieldsV1, MemoryKernelTcpAndHierarchy) {
    FakeTree tree;
    std::string memory = tree.add("memory", {{"memory.kmem.tcp.limit_in_bytes", ""},
                                             {"memory.use_hierarchy", ""},
                                             {"memory.swappiness", "60"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->kernel_tcp = 4 << 20;
    resources.memory->use_hierarchy = true;
    resources.memory->swappiness = UINT64_MAX;  // -1 from a JSON client: unset, as in runc
    apply_resources({{"memory", memory}}, resources);
    EXPECT_EQ(contents(memory, "memory.kmem.tcp.limit_in_bytes"), std::to_string(4 << 20));
    EXPECT_EQ(contents(memory, "memory.use_hierarchy"), "1");
    EXPECT_EQ(contents(memory, "memory.swappiness"), "60");
}

TEST(FieldsV1, ZeroValuesStayUnset) {
    FakeTree tree;
    std::string memory = tree.add("memory", {{"memory.limit_in_bytes", "100"},
                                             {"memory.soft_limit_in_bytes", "50"},
                                             {"memory.kmem.limit_in_bytes", "7"}});
    std::string blkio = tree.add("blkio", {});
    std::string cpu = tree.add("cpu", {{"cpu.shares", "1024"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 0;
    resources.memory->reservation = 0;
    resources.memory->kernel = 0;
    resources.memory->swap = 0;
    resources.block_io.emplace();
    resources.block_io->weight = 0;  // no weight file here: a write would fail
    resources.cpu.emplace();
    resources.cpu->shares = 0;
    resources.pids = spec::PidsResources{0};  // no pids controller: a write would fail
    apply_resources({{"memory", memory}, {"blkio", blkio}, {"cpu", cpu}}, resources);
    EXPECT_EQ(contents(memory, "memory.limit_in_bytes"), "100");
    EXPECT_EQ(contents(memory, "memory.soft_limit_in_bytes"), "50");
    EXPECT_EQ(contents(memory, "memory.kmem.limit_in_bytes"), "7");
    EXPECT_EQ(contents(cpu, "cpu.shares"), "1024");
}

TEST(FieldsV1, KernelMemoryNotWritten) {
    FakeTree tree;
    std::string memory =
        tree.add("memory", {{"memory.kmem.limit_in_bytes", "7"}, {"memory.limit_in_bytes", ""}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->kernel = 1 << 20;
    resources.memory->limit = 2 << 20;
    apply_resources({{"memory", memory}}, resources);
    EXPECT_EQ(contents(memory, "memory.kmem.limit_in_bytes"), "7");
    EXPECT_EQ(contents(memory, "memory.limit_in_bytes"), std::to_string(2 << 20));
}

TEST(FieldsV1, SwapWithoutAccountingRejected) {
    FakeTree tree;
    std::string memory = tree.add("memory", {{"memory.limit_in_bytes", "100"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 1000;
    resources.memory->swap = 2000;
    ErrorKind kind{};
    std::string message = apply_error({{"memory", memory}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "memory.swap 2000 cannot be set")) << message;
    EXPECT_TRUE(contains(message, "swap accounting is disabled")) << message;
    EXPECT_EQ(contents(memory, "memory.limit_in_bytes"), "100");
}

TEST(FieldsV1, UnlimitedSwapWithoutAccountingAccepted) {
    FakeTree tree;
    std::string memory = tree.add("memory", {{"memory.limit_in_bytes", "100"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 1000;
    resources.memory->swap = -1;
    apply_resources({{"memory", memory}}, resources);
    EXPECT_EQ(contents(memory, "memory.limit_in_bytes"), "1000");
}

TEST(FieldsV1, CpuBurstAndIdle) {
    FakeTree tree;
    std::string cpu = tree.add("cpu", {{"cpu.cfs_burst_us", ""}, {"cpu.idle", ""}});
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->burst = 5000;
    resources.cpu->idle = 1;
    apply_resources({{"cpu", cpu}}, resources);
    EXPECT_EQ(contents(cpu, "cpu.cfs_burst_us"), "5000");
    EXPECT_EQ(contents(cpu, "cpu.idle"), "1");
}

TEST(FieldsV1, BlkioEveryFile) {
    FakeTree tree;
    std::string blkio = tree.add("blkio", {{"blkio.weight", ""},
                                           {"blkio.weight_device", ""},
                                           {"blkio.leaf_weight", ""},
                                           {"blkio.leaf_weight_device", ""},
                                           {"blkio.throttle.read_bps_device", ""},
                                           {"blkio.throttle.write_bps_device", ""},
                                           {"blkio.throttle.read_iops_device", ""},
                                           {"blkio.throttle.write_iops_device", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    spec::BlockIoResources& io = *resources.block_io;
    io.weight = 500;
    io.leaf_weight = 300;
    io.weight_device = {{8, 0, 200, 100}};
    io.throttle_read_bps_device = {{8, 0, 1000}};
    io.throttle_write_bps_device = {{8, 0, 2000}};
    io.throttle_read_iops_device = {{8, 0, 30}};
    io.throttle_write_iops_device = {{8, 0, 40}};
    apply_resources({{"blkio", blkio}}, resources);
    EXPECT_EQ(contents(blkio, "blkio.weight"), "500");
    EXPECT_EQ(contents(blkio, "blkio.leaf_weight"), "300");
    EXPECT_EQ(contents(blkio, "blkio.weight_device"), "8:0 200");
    EXPECT_EQ(contents(blkio, "blkio.leaf_weight_device"), "8:0 100");
    EXPECT_EQ(contents(blkio, "blkio.throttle.read_bps_device"), "8:0 1000");
    EXPECT_EQ(contents(blkio, "blkio.throttle.write_bps_device"), "8:0 2000");
    EXPECT_EQ(contents(blkio, "blkio.throttle.read_iops_device"), "8:0 30");
    EXPECT_EQ(contents(blkio, "blkio.throttle.write_iops_device"), "8:0 40");
}

TEST(FieldsV1, BfqWeightDevice) {
    FakeTree tree;
    std::string blkio = tree.add("blkio", {{"blkio.bfq.weight_device", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->weight_device = {{8, 16, 700, std::nullopt}};
    apply_resources({{"blkio", blkio}}, resources);
    EXPECT_EQ(contents(blkio, "blkio.bfq.weight_device"), "8:16 700");
}

TEST(FieldsV1, LeafWeightWithoutCfqRejected) {
    FakeTree tree;
    std::string blkio = tree.add("blkio", {{"blkio.bfq.weight", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->leaf_weight = 300;
    ErrorKind kind{};
    std::string message = apply_error({{"blkio", blkio}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "blkio.leaf_weight")) << message;
    EXPECT_TRUE(contains(message, "CFQ")) << message;
}

TEST(FieldsV1, WeightDeviceWithoutSchedulerRejected) {
    FakeTree tree;
    std::string blkio = tree.add("blkio", {{"blkio.throttle.read_bps_device", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->weight_device = {{8, 0, 200, std::nullopt}};
    ErrorKind kind{};
    std::string message = apply_error({{"blkio", blkio}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "blkio.weight_device")) << message;
}

TEST(FieldsV1, HugetlbReservationLimited) {
    FakeTree tree;
    std::string hugetlb = tree.add(
        "hugetlb", {{"hugetlb.2MB.limit_in_bytes", ""}, {"hugetlb.2MB.rsvd.limit_in_bytes", ""}});
    spec::Resources resources;
    resources.hugepage_limits = {{"2MB", 8 << 20}};
    apply_resources({{"hugetlb", hugetlb}}, resources);
    EXPECT_EQ(contents(hugetlb, "hugetlb.2MB.limit_in_bytes"), std::to_string(8 << 20));
    EXPECT_EQ(contents(hugetlb, "hugetlb.2MB.rsvd.limit_in_bytes"), std::to_string(8 << 20));
}

TEST(FieldsV1, RdmaLimits) {
    FakeTree tree;
    std::string rdma = tree.add("rdma", {{"rdma.max", ""}});
    spec::Resources resources;
    resources.rdma = {{"mlx5_0", spec::RdmaLimit{3, 100}}};
    apply_resources({{"rdma", rdma}}, resources);
    EXPECT_EQ(contents(rdma, "rdma.max"), "mlx5_0 hca_handle=3 hca_object=100");
}

TEST(FieldsV1, RdmaWithoutControllerRejected) {
    FakeTree tree;
    spec::Resources resources;
    resources.rdma = {{"mlx5_0", spec::RdmaLimit{3, std::nullopt}}};
    ErrorKind kind{};
    std::string message = apply_error({{"memory", tree.add("memory", {})}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "rdma")) << message;
}

TEST(FieldsV1, NetworkWithoutControllerRejected) {
    FakeTree tree;
    spec::Resources resources;
    resources.network = spec::NetworkResources{0x100001, {}};
    ErrorKind kind{};
    std::string message = apply_error({{"memory", tree.add("memory", {})}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "net_cls")) << message;
}

TEST(FieldsV2, MemoryConversions) {
    FakeTree tree;
    std::string unified = tree.add_unified(
        "unified", "memory", {{"memory.max", ""}, {"memory.swap.max", ""}, {"memory.low", ""}});
    spec::Resources resources;
    resources.memory.emplace();
    // memory.swap is memory plus swap in the runtime-spec, memory.swap.max is swap alone.
    resources.memory->limit = 1000;
    resources.memory->swap = 1000;
    resources.memory->reservation = -1;
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "memory.max"), "1000");
    EXPECT_EQ(contents(unified, "memory.swap.max"), "0");
    EXPECT_EQ(contents(unified, "memory.low"), "max");

    resources.memory->limit = -1;
    resources.memory->swap = std::nullopt;
    resources.memory->reservation = std::nullopt;
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "memory.max"), "max");
    EXPECT_EQ(contents(unified, "memory.swap.max"), "max");
}

TEST(FieldsV2, SwapBelowLimitRejected) {
    FakeTree tree;
    std::string unified =
        tree.add_unified("unified", "memory", {{"memory.max", "7"}, {"memory.swap.max", "8"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 2000;
    resources.memory->swap = 1000;
    std::string message = apply_error({{"", unified}}, resources);
    EXPECT_TRUE(contains(message, "is below memory.limit 2000")) << message;
    EXPECT_EQ(contents(unified, "memory.max"), "7");
    EXPECT_EQ(contents(unified, "memory.swap.max"), "8");
}

TEST(FieldsV2, SwapWithoutAccountingRejected) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "memory", {{"memory.max", "7"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 1000;
    resources.memory->swap = 3000;
    ErrorKind kind{};
    std::string message = apply_error({{"", unified}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "memory.swap 3000 cannot be set")) << message;
    EXPECT_TRUE(contains(message, "swap accounting is disabled")) << message;
    EXPECT_EQ(contents(unified, "memory.max"), "7");
}

TEST(FieldsV2, KernelMemoryAndSwappinessNotWritten) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "memory", {{"memory.max", "max"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->kernel = 1 << 20;
    resources.memory->kernel_tcp = 1 << 20;
    resources.memory->swappiness = 10;
    resources.memory->use_hierarchy = true;
    EXPECT_EQ(apply_error({{"", unified}}, resources), "");
    EXPECT_EQ(contents(unified, "memory.max"), "max");
}

TEST(FieldsV2, UseHierarchyFalseRejected) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "memory", {{"memory.max", "max"}});
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->use_hierarchy = false;
    ErrorKind kind{};
    std::string message = apply_error({{"", unified}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "memory.useHierarchy false")) << message;
}

TEST(FieldsV2, CpuEveryFile) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "cpu cpuset",
                                           {{"cpu.weight", ""},
                                            {"cpu.max", ""},
                                            {"cpu.max.burst", ""},
                                            {"cpu.idle", ""},
                                            {"cpuset.cpus", ""},
                                            {"cpuset.mems", ""}});
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->shares = 2;  // the v1 minimum is the v2 minimum, 1
    resources.cpu->quota = -1;
    resources.cpu->period = 25000;
    resources.cpu->burst = 1000;
    resources.cpu->idle = 1;
    resources.cpu->cpus = "0";
    resources.cpu->mems = "0";
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "cpu.weight"), "1");
    EXPECT_EQ(contents(unified, "cpu.max"), "max 25000");
    EXPECT_EQ(contents(unified, "cpu.max.burst"), "1000");
    EXPECT_EQ(contents(unified, "cpu.idle"), "1");
    EXPECT_EQ(contents(unified, "cpuset.cpus"), "0");
    EXPECT_EQ(contents(unified, "cpuset.mems"), "0");

    // The v1 maximum of 262144 shares is the v2 maximum weight of 10000.
    resources.cpu = spec::CpuResources{};
    resources.cpu->shares = 262144;
    resources.cpu->quota = 30000;
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "cpu.weight"), "10000");
    EXPECT_EQ(contents(unified, "cpu.max"), "30000");
}

TEST(FieldsV2, IoEveryFile) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "io", {{"io.weight", ""}, {"io.max", ""}});
    spec::Resources resources;
    resources.block_io.emplace();
    spec::BlockIoResources& io = *resources.block_io;
    io.weight = 10;  // the v1 minimum is the v2 minimum, 1
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.weight"), "1");

    // Each line goes to the same file in its own write, so the file keeps the last one.
    io.weight = std::nullopt;
    io.weight_device = {{8, 0, 1000, std::nullopt}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.weight"), "8:0 10000");
    io.weight_device.clear();
    io.throttle_read_bps_device = {{8, 0, 1000}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.max"), "8:0 rbps=1000");
    io.throttle_read_bps_device.clear();
    io.throttle_read_iops_device = {{8, 0, 30}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.max"), "8:0 riops=30");
    io.throttle_read_iops_device.clear();
    io.throttle_write_iops_device = {{8, 0, 40}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.max"), "8:0 wiops=40");
}

TEST(FieldsV2, BfqTakesV1Weight) {
    FakeTree tree;
    std::string unified =
        tree.add_unified("unified", "io", {{"io.bfq.weight", ""}, {"io.weight", "7"}});
    spec::Resources resources;
    resources.block_io.emplace();
    resources.block_io->weight = 500;
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "io.bfq.weight"), "500");
    EXPECT_EQ(contents(unified, "io.weight"), "7");
}

TEST(FieldsV2, PidsRdmaAndHugetlbReservation) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "pids rdma hugetlb",
                                           {{"pids.max", ""},
                                            {"rdma.max", ""},
                                            {"hugetlb.2MB.max", ""},
                                            {"hugetlb.2MB.rsvd.max", ""}});
    spec::Resources resources;
    resources.pids = spec::PidsResources{-1};
    resources.rdma = {{"mlx4_0", spec::RdmaLimit{std::nullopt, 50}}};
    resources.hugepage_limits = {{"2MB", 4 << 20}};
    apply_resources({{"", unified}}, resources);
    EXPECT_EQ(contents(unified, "pids.max"), "max");
    EXPECT_EQ(contents(unified, "rdma.max"), "mlx4_0 hca_object=50");
    EXPECT_EQ(contents(unified, "hugetlb.2MB.max"), std::to_string(4 << 20));
    EXPECT_EQ(contents(unified, "hugetlb.2MB.rsvd.max"), std::to_string(4 << 20));
}

TEST(FieldsV2, NetworkHasNoEquivalent) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "memory pids", {});
    spec::Resources resources;
    resources.network = spec::NetworkResources{std::nullopt, {{"eth0", 3}}};
    ErrorKind kind{};
    std::string message = apply_error({{"", unified}}, resources, &kind);
    EXPECT_EQ(kind, ErrorKind::unsupported);
    EXPECT_TRUE(contains(message, "net_prio")) << message;
    EXPECT_TRUE(contains(message, "cgroup v2 has no equivalent")) << message;
}

TEST(FieldsV2, RdmaControllerNotEnabledRejected) {
    FakeTree tree;
    std::string unified = tree.add_unified("unified", "memory pids", {{"rdma.max", ""}});
    spec::Resources resources;
    resources.rdma = {{"mlx4_0", spec::RdmaLimit{1, std::nullopt}}};
    std::string message = apply_error({{"", unified}}, resources);
    EXPECT_TRUE(contains(message, "rdma")) << message;
    EXPECT_EQ(contents(unified, "rdma.max"), "");
}

}  // namespace
}  // namespace ocirun::cgroups
