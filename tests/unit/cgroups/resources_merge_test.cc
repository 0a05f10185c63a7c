// Merging `update`'s values into a container's resources, and the LinuxResources JSON form.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "cgroups/resources_json.h"
#include "cgroups/resources_update.h"

namespace ocirun::cgroups {
namespace {

spec::Resources created_with_limits() {
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 100 << 20;
    resources.memory->swap = 200 << 20;
    resources.memory->reservation = 50 << 20;
    resources.cpu.emplace();
    resources.cpu->shares = 1024;
    resources.cpu->quota = 20000;
    resources.cpu->period = 100000;
    resources.cpu->cpus = "0";
    resources.pids = spec::PidsResources{64};
    resources.block_io.emplace();
    resources.block_io->weight = 500;
    return resources;
}

TEST(MergeResources, ChangedFieldsReplaced) {
    spec::Resources change;
    change.memory.emplace();
    change.memory->limit = 300 << 20;
    change.cpu.emplace();
    change.cpu->quota = 50000;
    change.pids = spec::PidsResources{10};
    spec::Resources merged = merge_resources(created_with_limits(), change);
    EXPECT_EQ(merged.memory->limit, 300 << 20);
    EXPECT_EQ(merged.cpu->quota, 50000);
    EXPECT_EQ(merged.pids->limit, 10);
}

TEST(MergeResources, UnchangedFieldsKept) {
    spec::Resources change;
    change.memory.emplace();
    change.memory->limit = 300 << 20;
    spec::Resources merged = merge_resources(created_with_limits(), change);
    EXPECT_EQ(merged.memory->swap, 200 << 20);
    EXPECT_EQ(merged.memory->reservation, 50 << 20);
    EXPECT_EQ(merged.cpu->shares, 1024u);
    EXPECT_EQ(merged.cpu->period, 100000u);
    EXPECT_EQ(merged.cpu->cpus, "0");
    EXPECT_EQ(merged.pids->limit, 64);
    EXPECT_EQ(merged.block_io->weight, 500);
}

// Docker sends every field, with zeros for those it does not change.
TEST(MergeResources, DockerZerosKeepValues) {
    nlohmann::json docker = nlohmann::json::parse(R"({
        "memory": {"limit": 67108864, "reservation": 0, "swap": 134217728, "kernel": 0},
        "cpu": {"shares": 512, "quota": 0, "period": 0, "cpus": "", "mems": ""},
        "pids": {"limit": 0},
        "blockIO": {"weight": 0}})");
    spec::Resources change = resources_from_json(docker, "stdin");
    spec::Resources merged = merge_resources(created_with_limits(), change);
    EXPECT_EQ(merged.memory->limit, 67108864);
    EXPECT_EQ(merged.memory->swap, 134217728);
    EXPECT_EQ(merged.memory->reservation, 50 << 20);
    EXPECT_FALSE(merged.memory->kernel.has_value());
    EXPECT_EQ(merged.cpu->shares, 512u);
    EXPECT_EQ(merged.cpu->quota, 20000);
    EXPECT_EQ(merged.cpu->cpus, "0");
    EXPECT_EQ(merged.pids->limit, 64);
    EXPECT_EQ(merged.block_io->weight, 500);
}

TEST(MergeResources, UnlimitedMemoryUnlimitsSwap) {
    spec::Resources change;
    change.memory.emplace();
    change.memory->limit = -1;
    spec::Resources merged = merge_resources(created_with_limits(), change);
    EXPECT_EQ(merged.memory->limit, -1);
    EXPECT_EQ(merged.memory->swap, -1);
}

TEST(MergeResources, UnlimitedMemoryKeepsGivenSwap) {
    spec::Resources change;
    change.memory.emplace();
    change.memory->limit = -1;
    change.memory->swap = 400 << 20;
    spec::Resources merged = merge_resources(created_with_limits(), change);
    EXPECT_EQ(merged.memory->swap, 400 << 20);
}

TEST(MergeResources, PresentFlagsReplacedEvenWhenZero) {
    spec::Resources current = created_with_limits();
    current.memory->swappiness = 60;
    current.cpu->idle = 1;
    spec::Resources change;
    change.memory.emplace();
    change.memory->swappiness = 0;
    change.memory->check_before_update = true;
    change.cpu.emplace();
    change.cpu->idle = 0;
    spec::Resources merged = merge_resources(current, change);
    EXPECT_EQ(merged.memory->swappiness, 0u);
    EXPECT_EQ(merged.memory->check_before_update, true);
    EXPECT_EQ(merged.cpu->idle, 0);
}

TEST(MergeResources, DeviceListsMergedByNumber) {
    spec::Resources current;
    current.block_io.emplace();
    current.block_io->throttle_read_bps_device = {{8, 0, 1000}, {8, 16, 2000}};
    spec::Resources change;
    change.block_io.emplace();
    change.block_io->throttle_read_bps_device = {{8, 16, 5000}, {253, 0, 7000}};
    auto merged = merge_resources(current, change).block_io->throttle_read_bps_device;
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[0].rate, 1000u);
    EXPECT_EQ(merged[1].rate, 5000u);
    EXPECT_EQ(merged[2].major, 253);
}

TEST(MergeResources, NamedEntriesMerged) {
    spec::Resources current;
    current.hugepage_limits = {{"2MB", 1 << 21}};
    current.unified = {{"memory.high", "100M"}, {"pids.max", "10"}};
    current.rdma["mlx5_0"] = spec::RdmaLimit{1, 2};
    spec::Resources change;
    change.hugepage_limits = {{"2MB", 1 << 22}, {"1GB", 0}};
    change.unified = {{"memory.high", "200M"}};
    change.rdma["mlx5_0"] = spec::RdmaLimit{3, std::nullopt};
    spec::Resources merged = merge_resources(current, change);
    ASSERT_EQ(merged.hugepage_limits.size(), 2u);
    EXPECT_EQ(merged.hugepage_limits[0].limit, 1u << 22);
    EXPECT_EQ(merged.unified.at("memory.high"), "200M");
    EXPECT_EQ(merged.unified.at("pids.max"), "10");
    EXPECT_EQ(merged.rdma.at("mlx5_0").hca_handles, 3u);
    EXPECT_FALSE(merged.rdma.at("mlx5_0").hca_objects.has_value());
}

TEST(MergeResources, DevicesAndKernelMemoryIgnored) {
    spec::Resources change;
    change.devices.push_back(spec::DeviceCgroupRule{true, "c", 1, 3, "rwm"});
    change.memory.emplace();
    change.memory->kernel = 1 << 20;
    change.memory->kernel_tcp = 1 << 20;
    spec::Resources merged = merge_resources(created_with_limits(), change);
    EXPECT_TRUE(merged.devices.empty());
    EXPECT_FALSE(merged.memory->kernel.has_value());
    EXPECT_FALSE(merged.memory->kernel_tcp.has_value());
}

TEST(MergeResources, KernelMemoryOfCreateDropped) {
    spec::Resources current = created_with_limits();
    current.memory->kernel = 1 << 20;
    spec::Resources change;
    change.pids = spec::PidsResources{5};
    spec::Resources merged = merge_resources(current, change);
    ASSERT_TRUE(merged.memory.has_value());
    EXPECT_FALSE(merged.memory->kernel.has_value());
    EXPECT_EQ(merged.memory->limit, current.memory->limit);
}

TEST(MergeResources, PartCreatedWhenAbsent) {
    spec::Resources change;
    change.pids = spec::PidsResources{5};
    spec::Resources merged = merge_resources(spec::Resources{}, change);
    ASSERT_TRUE(merged.pids.has_value());
    EXPECT_EQ(merged.pids->limit, 5);
}

TEST(ResourcesJson, RoundTrip) {
    spec::Resources resources = created_with_limits();
    resources.memory->check_before_update = true;
    resources.block_io->throttle_write_iops_device = {{8, 0, 100}};
    resources.block_io->weight_device = {{8, 0, 300, std::nullopt}};
    resources.hugepage_limits = {{"2MB", 4096}};
    resources.network = spec::NetworkResources{7, {{"eth0", 3}}};
    resources.rdma["mlx5_0"] = spec::RdmaLimit{1, std::nullopt};
    resources.unified = {{"memory.high", "100M"}};
    nlohmann::json json = resources_to_json(resources);
    EXPECT_EQ(json["memory"]["limit"], 100 << 20);
    EXPECT_EQ(json["blockIO"]["throttleWriteIOPSDevice"][0]["rate"], 100);
    EXPECT_EQ(resources_to_json(resources_from_json(json, "test")), json);
}

TEST(ResourcesJson, ErrorNamesSourceAndField) {
    nlohmann::json json = {{"memory", {{"limit", "1g"}}}};
    try {
        resources_from_json(json, "stdin");
        FAIL() << "a string limit was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()).rfind("stdin: memory.limit: expected", 0), 0u)
            << error.what();
        EXPECT_EQ(error.kind(), ErrorKind::invalid_spec);
    }
}

}  // namespace
}  // namespace ocirun::cgroups
