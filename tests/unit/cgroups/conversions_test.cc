// Conversions of linux.resources values for cgroup v1 and v2 files.
#include "cgroups/conversions.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace ocirun::cgroups {
namespace {

TEST(Conversions, CpuSharesToWeight) {
    EXPECT_EQ(cpu_shares_to_weight(0), 0u);
    EXPECT_EQ(cpu_shares_to_weight(2), 1u);
    EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
    EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
}

TEST(Conversions, BlkioWeightToIoWeight) {
    EXPECT_EQ(blkio_weight_to_io_weight(0), 0u);
    EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
    EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
    EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

TEST(Conversions, CpuMax) {
    EXPECT_EQ(cpu_max(50000, 100000), "50000 100000");
    EXPECT_EQ(cpu_max(-1, 100000), "max 100000");
    EXPECT_EQ(cpu_max(20000, std::nullopt), "20000");
    EXPECT_EQ(cpu_max(std::nullopt, 250000), "max 250000");
}

TEST(Conversions, MemorySwapV2) {
    EXPECT_EQ(memory_swap_v2(100, 300), "200");
    EXPECT_EQ(memory_swap_v2(100, 100), "0");
    EXPECT_EQ(memory_swap_v2(100, -1), "max");
    EXPECT_EQ(memory_swap_v2(-1, std::nullopt), "max");
    EXPECT_EQ(memory_swap_v2(100, std::nullopt), std::nullopt);
    EXPECT_EQ(memory_swap_v2(100, 0), std::nullopt);
    EXPECT_THROW(memory_swap_v2(std::nullopt, 300), Error);
    EXPECT_THROW(memory_swap_v2(300, 100), Error);
}

TEST(Conversions, PidsMax) {
    EXPECT_EQ(pids_max(100), "100");
    EXPECT_EQ(pids_max(-1), "max");
}

TEST(Conversions, DeviceRuleV1) {
    spec::DeviceCgroupRule deny_all;
    EXPECT_EQ(device_rule_v1(deny_all), "a *:* rwm");
    spec::DeviceCgroupRule null_device{true, "c", 1, 3, "rw"};
    EXPECT_EQ(device_rule_v1(null_device), "c 1:3 rw");
    spec::DeviceCgroupRule any_minor{true, "b", 8, std::nullopt, "m"};
    EXPECT_EQ(device_rule_v1(any_minor), "b 8:* m");
    spec::DeviceCgroupRule bad_type{true, "x", 1, 1, "r"};
    EXPECT_THROW(device_rule_v1(bad_type), Error);
    spec::DeviceCgroupRule bad_access{true, "c", 1, 1, "rx"};
    EXPECT_THROW(device_rule_v1(bad_access), Error);
}

TEST(Conversions, HugepageSize) {
    EXPECT_TRUE(valid_hugepage_size("2MB"));
    EXPECT_TRUE(valid_hugepage_size("1GB"));
    EXPECT_TRUE(valid_hugepage_size("64KB"));
    EXPECT_FALSE(valid_hugepage_size("2M"));
    EXPECT_FALSE(valid_hugepage_size("../x/MB"));
    EXPECT_FALSE(valid_hugepage_size("MB"));
}

}  // namespace
}  // namespace ocirun::cgroups
