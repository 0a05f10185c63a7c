// `update`'s writes into a fake cgroup tree: devices left alone and checkBeforeUpdate on v2.
#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/files.h"
#include "cgroups/resources_update.h"
#include "fake_tree.h"

namespace ocirun::cgroups {
namespace {

using testing::FakeTree;

spec::Resources memory_limit(int64_t limit, bool check) {
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = limit;
    resources.memory->check_before_update = check;
    return resources;
}

TEST(UpdateResources, DevicesNotWritten) {
    FakeTree tree;
    std::string devices = tree.add("devices", {{"devices.allow", ""}, {"devices.deny", ""}});
    std::string pids = tree.add("pids", {{"pids.max", "max"}});
    spec::Resources resources;
    resources.devices.push_back(
        spec::DeviceCgroupRule{false, "a", std::nullopt, std::nullopt, "rwm"});
    resources.pids = spec::PidsResources{7};
    update_resources({{"devices", devices}, {"pids", pids}}, resources);
    EXPECT_EQ(read_control(devices, "devices.deny"), "");
    EXPECT_EQ(read_control(pids, "pids.max"), "7");
}

TEST(UpdateResources, V2LimitBelowUsageRejected) {
    FakeTree tree;
    std::string unified = tree.add("unified", {{"cgroup.controllers", "memory pids"},
                                               {"memory.current", "4096"},
                                               {"memory.max", "max"},
                                               {"memory.swap.max", "max"}});
    try {
        update_resources({{"", unified}}, memory_limit(2048, true));
        FAIL() << "a limit below memory.current was written";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("rejecting memory limit 2048"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(read_control(unified, "memory.max"), "max");
}

TEST(UpdateResources, V2SwapBelowUsageRejected) {
    FakeTree tree;
    std::string unified = tree.add("unified", {{"cgroup.controllers", "memory"},
                                               {"memory.current", "4096"},
                                               {"memory.max", "max"},
                                               {"memory.swap.max", "max"}});
    spec::Resources resources = memory_limit(8192, true);
    resources.memory->swap = 4096;
    EXPECT_THROW(update_resources({{"", unified}}, resources), Error);
    EXPECT_EQ(read_control(unified, "memory.max"), "max");
}

TEST(UpdateResources, V2LimitAboveUsageWritten) {
    FakeTree tree;
    std::string unified = tree.add("unified", {{"cgroup.controllers", "memory"},
                                               {"memory.current", "4096"},
                                               {"memory.max", "max"},
                                               {"memory.swap.max", "max"}});
    update_resources({{"", unified}}, memory_limit(8192, true));
    EXPECT_EQ(read_control(unified, "memory.max"), "8192");
}

TEST(UpdateResources, V2UncheckedLimitWritten) {
    FakeTree tree;
    std::string unified = tree.add("unified", {{"cgroup.controllers", "memory"},
                                               {"memory.current", "4096"},
                                               {"memory.max", "max"},
                                               {"memory.swap.max", "max"}});
    update_resources({{"", unified}}, memory_limit(2048, false));
    EXPECT_EQ(read_control(unified, "memory.max"), "2048");
}

}  // namespace
}  // namespace ocirun::cgroups
