// Sub-cgroup paths for `exec --cgroup`.
#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/cgroups.h"

namespace ocirun::cgroups {
namespace {

const CgroupPaths kHybrid = {{"", "/u/ctr"}, {"cpu", "/cpu/ctr"}, {"memory", "/memory/ctr"}};

TEST(ExecCgroupPaths, PathAloneAppliesToAll) {
    CgroupPaths paths = exec_cgroup_paths(kHybrid, {"sub"});
    EXPECT_EQ(paths.at(""), "/u/ctr/sub");
    EXPECT_EQ(paths.at("cpu"), "/cpu/ctr/sub");
    EXPECT_EQ(paths.at("memory"), "/memory/ctr/sub");
}

TEST(ExecCgroupPaths, ControllerListAppliesToThose) {
    CgroupPaths paths = exec_cgroup_paths(kHybrid, {"cpu,memory:a/b"});
    EXPECT_EQ(paths.at("cpu"), "/cpu/ctr/a/b");
    EXPECT_EQ(paths.at("memory"), "/memory/ctr/a/b");
    EXPECT_EQ(paths.at(""), "/u/ctr");
}

TEST(ExecCgroupPaths, DotDotStaysInside) {
    CgroupPaths paths = exec_cgroup_paths(kHybrid, {"../../x"});
    EXPECT_EQ(paths.at("cpu"), "/cpu/ctr/x");
}

TEST(ExecCgroupPaths, UnifiedTakesAnyController) {
    CgroupPaths paths = exec_cgroup_paths({{"", "/sys/fs/cgroup/ctr"}}, {"memory:sub"});
    EXPECT_EQ(paths.at(""), "/sys/fs/cgroup/ctr/sub");
}

TEST(ExecCgroupPaths, UnknownControllerRejected) {
    EXPECT_THROW(exec_cgroup_paths(kHybrid, {"pids:sub"}), Error);
}

TEST(ExecCgroupPaths, EmptyPathRejected) {
    EXPECT_THROW(exec_cgroup_paths(kHybrid, {"cpu:.."}), Error);
}

}  // namespace
}  // namespace ocirun::cgroups
