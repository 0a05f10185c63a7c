// Usage counters read from a fake cgroup tree and from a scratch cgroup on this host.
#include "cgroups/stats.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "fake_tree.h"

namespace ocirun::cgroups {
namespace {

using testing::FakeTree;

TEST(Stats, CgroupV2Files) {
    FakeTree tree;
    std::string unified =
        tree.add("unified", {{"cpu.stat",
                              "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
                              "nr_periods 10\nnr_throttled 2\nthrottled_usec 30\n"},
                             {"memory.current", "4096\n"},
                             {"memory.max", "max\n"},
                             {"memory.events", "low 0\nhigh 0\nmax 3\noom 1\n"},
                             {"memory.stat", "anon 1024\nfile 2048\n"},
                             {"pids.current", "2\n"},
                             {"pids.max", "100\n"}});
    Stats stats = read_stats({{"", unified}});
    EXPECT_EQ(stats.cpu.usage_ns, 1500000u);
    EXPECT_EQ(stats.cpu.user_ns, 1000000u);
    EXPECT_EQ(stats.cpu.kernel_ns, 500000u);
    EXPECT_EQ(stats.cpu.throttled_periods, 2u);
    EXPECT_EQ(stats.cpu.throttled_ns, 30000u);
    EXPECT_EQ(stats.memory.usage.usage, 4096u);
    EXPECT_EQ(stats.memory.usage.limit, UINT64_MAX);
    EXPECT_EQ(stats.memory.usage.failcnt, 3u);
    EXPECT_EQ(stats.memory.cache, 2048u);
    EXPECT_EQ(stats.memory.raw.at("anon"), 1024u);
    EXPECT_EQ(stats.pids.current, 2u);
    EXPECT_EQ(stats.pids.limit, 100u);
}

TEST(Stats, V1UnlimitedIsKernelValue) {
    FakeTree tree;
    std::string memory = tree.add("memory", {{"memory.usage_in_bytes", "8192\n"},
                                             {"memory.limit_in_bytes", "9223372036854771712\n"},
                                             {"memory.stat", "cache 4096\nrss 4096\n"}});
    Stats stats = read_stats({{"memory", memory}});
    EXPECT_EQ(stats.memory.usage.usage, 8192u);
    EXPECT_EQ(stats.memory.usage.limit, 9223372036854771712u);
    EXPECT_EQ(stats.memory.cache, 4096u);
}

TEST(Stats, HostCgroupCountsItsProcess) {
    if (geteuid() != 0) {
        GTEST_SKIP() << "needs root";
    }
    pid_t child = fork();
    if (child == 0) {
        for (;;) {
            pause();
        }
    }
    CgroupRequest request;
    request.id = "ocirun-test-stats-" + std::to_string(getpid());
    request.cgroups_path = request.id;
    CgroupPaths paths = create(request, child).paths;
    spec::Resources resources;
    resources.pids = spec::PidsResources{20};
    apply_resources(paths, resources);
    Stats stats = read_stats(paths);
    destroy(paths);
    waitpid(child, nullptr, 0);
    if (paths.count("pids") != 0) {
        EXPECT_EQ(stats.pids.current, 1u);
        EXPECT_EQ(stats.pids.limit, 20u);
    }
    if (paths.count("cpuacct") != 0) {
        EXPECT_FALSE(stats.cpu.per_cpu_ns.empty());
    }
    if (paths.count("memory") != 0) {
        EXPECT_GT(stats.memory.usage.limit, uint64_t{1} << 60);
    }
}

}  // namespace
}  // namespace ocirun::cgroups
