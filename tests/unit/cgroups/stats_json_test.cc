// Statistics read from a fake cgroup tree, in the JSON shape of runc's `events`.
#include "cgroups/stats_json.h"

#include <gtest/gtest.h>

#include <limits>

#include "cgroups/stats.h"
#include "fake_tree.h"

namespace ocirun::cgroups {
namespace {

using testing::FakeTree;

CgroupPaths v1_tree(FakeTree& tree) {
    std::string cpu = tree.add("cpu,cpuacct",
                               {{"cpuacct.usage", "3000\n"},
                                {"cpuacct.usage_percpu", "1000 2000 \n"},
                                {"cpuacct.usage_all", "cpu user system\n0 600 400\n1 1500 500\n"},
                                {"cpuacct.stat", "user 2\nsystem 1\n"},
                                {"cpu.stat", "nr_periods 4\nnr_throttled 1\nthrottled_time 99\n"}});
    std::string cpuset = tree.add("cpuset", {{"cpuset.cpus", "0-2,5\n"},
                                             {"cpuset.mems", "0\n"},
                                             {"cpuset.sched_load_balance", "1\n"},
                                             {"cpuset.sched_relax_domain_level", "-1\n"}});
    std::string memory =
        tree.add("memory", {{"memory.usage_in_bytes", "8192\n"},
                            {"memory.max_usage_in_bytes", "16384\n"},
                            {"memory.failcnt", "2\n"},
                            {"memory.limit_in_bytes", "104857600\n"},
                            {"memory.memsw.usage_in_bytes", "8192\n"},
                            {"memory.memsw.limit_in_bytes", "9223372036854771712\n"},
                            {"memory.stat", "cache 4096\nrss 4096\n"}});
    std::string pids = tree.add("pids", {{"pids.current", "3\n"}, {"pids.max", "max\n"}});
    std::string blkio =
        tree.add("blkio", {{"blkio.throttle.io_service_bytes_recursive",
                            "8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n"},
                           {"blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n"}});
    return {{"cpu", cpu},       {"cpuacct", cpu}, {"cpuset", cpuset},
            {"memory", memory}, {"pids", pids},   {"blkio", blkio}};
}

TEST(StatsJson, V1CpuFields) {
    FakeTree tree;
    auto data = stats_to_json(read_stats(v1_tree(tree)));
    const auto& usage = data["cpu"]["usage"];
    EXPECT_EQ(usage["total"], 3000);
    EXPECT_EQ(usage["percpu"], nlohmann::json({1000, 2000}));
    EXPECT_EQ(usage["percpu_user"], nlohmann::json({600, 1500}));
    EXPECT_EQ(usage["percpu_kernel"], nlohmann::json({400, 500}));
    EXPECT_GT(usage["user"].get<uint64_t>(), 0u);
    EXPECT_EQ(data["cpu"]["throttling"]["throttledPeriods"], 1);
    EXPECT_EQ(data["cpu"]["throttling"]["throttledTime"], 99);
}

TEST(StatsJson, V1MemoryFields) {
    FakeTree tree;
    auto data = stats_to_json(read_stats(v1_tree(tree)));
    const auto& memory = data["memory"];
    EXPECT_EQ(memory["cache"], 4096);
    EXPECT_EQ(memory["usage"]["usage"], 8192);
    EXPECT_EQ(memory["usage"]["max"], 16384);
    EXPECT_EQ(memory["usage"]["failcnt"], 2);
    EXPECT_EQ(memory["usage"]["limit"], 104857600);
    EXPECT_EQ(memory["swap"]["limit"], 9223372036854771712ULL);
    EXPECT_EQ(memory["raw"]["rss"], 4096);
    // Without the kmem files the entry keeps its two fields that are not omitempty.
    EXPECT_EQ(memory["kernel"].dump(), R"({"limit":0,"failcnt":0})");
}

TEST(StatsJson, V1OtherControllers) {
    FakeTree tree;
    auto data = stats_to_json(read_stats(v1_tree(tree)));
    EXPECT_EQ(data["pids"].dump(), R"({"current":3})");
    EXPECT_EQ(data["cpuset"]["cpus"], nlohmann::json({0, 1, 2, 5}));
    EXPECT_EQ(data["cpuset"]["sched_relax_domain_level"], -1);
    const auto& bytes = data["blkio"]["ioServiceBytesRecursive"];
    ASSERT_EQ(bytes.size(), 3u);
    EXPECT_EQ(bytes[0].dump(), R"({"major":8,"op":"Read","value":4096})");
    EXPECT_EQ(data["blkio"]["ioServicedRecursive"].size(), 1u);
    EXPECT_TRUE(data["hugetlb"].empty());
    EXPECT_TRUE(data["network_interfaces"].is_null());
}

TEST(StatsJson, V2Fields) {
    FakeTree tree;
    std::string unified = tree.add(
        "unified", {{"cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\n"},
                    {"memory.current", "4096\n"},
                    {"memory.max", "max\n"},
                    {"memory.swap.current", "1024\n"},
                    {"memory.swap.max", "max\n"},
                    {"memory.stat", "file 2048\n"},
                    {"io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n"},
                    {"hugetlb.2MB.current", "0\n"},
                    {"hugetlb.2MB.max", "max\n"},
                    {"hugetlb.2MB.rsvd.max", "max\n"},
                    {"hugetlb.2MB.events", "max 5\n"}});
    auto data = stats_to_json(read_stats({{"", unified}}));
    EXPECT_EQ(data["cpu"]["usage"]["total"], 10000);
    EXPECT_FALSE(data["cpu"]["usage"].contains("percpu"));
    EXPECT_EQ(data["memory"]["usage"]["limit"], std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(data["memory"]["swap"]["usage"], 5120);
    EXPECT_EQ(data["memory"]["cache"], 2048);
    EXPECT_EQ(data["blkio"]["ioServiceBytesRecursive"][1]["op"], "Write");
    EXPECT_EQ(data["blkio"]["ioServicedRecursive"][1]["value"], 2);
    ASSERT_EQ(data["hugetlb"].size(), 1u);
    EXPECT_EQ(data["hugetlb"]["2MB"].dump(), R"({"failcnt":5})");
}

TEST(StatsJson, EventRecordShape) {
    auto oom = event_record("oom", "c1");
    EXPECT_EQ(oom.dump(), R"({"type":"oom","id":"c1"})");
    auto stats = event_record("stats", "c1", nlohmann::ordered_json{{"pids", {}}});
    EXPECT_EQ(stats.dump(), R"({"type":"stats","id":"c1","data":{"pids":null}})");
}

}  // namespace
}  // namespace ocirun::cgroups
