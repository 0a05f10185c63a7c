// Parsing of mountinfo, /proc/cgroups and /proc/self/cgroup into a cgroup layout.
#include "cgroups/layout.h"

#include <gtest/gtest.h>

namespace ocirun::cgroups {
namespace {

const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
    "rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "50 31 0:29 /docker /mnt/cpu\\040copy rw - cgroup cgroup rw,cpu,cpuacct\n"
    "60 23 0:50 / /proc rw - proc proc rw\n";

const char* kProcCgroups =
    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
    "cpuset\t3\t2\t1\n"
    "cpu\t1\t2\t1\n"
    "cpuacct\t1\t2\t1\n"
    "memory\t4\t32\t0\n";

TEST(Layout, ProcCgroupsListsEnabledControllers) {
    std::set<std::string> names = parse_proc_cgroups(kProcCgroups);
    EXPECT_EQ(names, (std::set<std::string>{"cpuset", "cpu", "cpuacct"}));
}

TEST(Layout, MountinfoFindsEachHierarchyOnce) {
    std::vector<Hierarchy> found =
        parse_mountinfo(kHybridMountinfo, parse_proc_cgroups(kProcCgroups));
    ASSERT_EQ(found.size(), 4u);
    EXPECT_EQ(found[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
    EXPECT_EQ(found[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_EQ(found[1].controllers, (std::vector<std::string>{"cpuset"}));
    EXPECT_EQ(found[2].controllers, (std::vector<std::string>{"name=systemd"}));
    EXPECT_TRUE(found[3].unified);
    EXPECT_EQ(found[3].keys(), (std::vector<std::string>{""}));
    EXPECT_EQ(found[3].root, "/");
}

TEST(Layout, MountinfoUnescapesPaths) {
    const char* text = "50 31 0:29 /a\\040b /mnt/cpu\\040copy rw - cgroup cgroup rw,cpu\n";
    std::vector<Hierarchy> found = parse_mountinfo(text, {"cpu"});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].mount_point, "/mnt/cpu copy");
    EXPECT_EQ(found[0].root, "/a b");
}

TEST(Layout, MountinfoPrefersWholeTreeMount) {
    const char* text =
        "50 31 0:29 /docker /mnt/part rw - cgroup cgroup rw,cpu\n"
        "51 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n";
    std::vector<Hierarchy> found = parse_mountinfo(text, {"cpu"});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].mount_point, "/sys/fs/cgroup/cpu");
    EXPECT_EQ(found[0].root, "/");
}

TEST(Layout, ProcSelfCgroupByKey) {
    std::map<std::string, std::string> own = parse_proc_cgroup(
        "9:name=systemd:/user.slice\n4:memory:/process_api/abc\n1:cpu,cpuacct:/\n0::/init\n");
    EXPECT_EQ(own.at("name=systemd"), "/user.slice");
    EXPECT_EQ(own.at("memory"), "/process_api/abc");
    EXPECT_EQ(own.at("cpu"), "/");
    EXPECT_EQ(own.at("cpuacct"), "/");
    EXPECT_EQ(own.at(""), "/init");
}

TEST(Layout, ModeFromHierarchies) {
    Hierarchy v1{"/sys/fs/cgroup/cpu", "/", {"cpu"}, false};
    Hierarchy v2{"/sys/fs/cgroup", "/", {}, true};
    EXPECT_EQ(make_layout({v1}, {}).mode, Mode::legacy);
    EXPECT_EQ(make_layout({v1, v2}, {}).mode, Mode::hybrid);
    EXPECT_EQ(make_layout({v2}, {}).mode, Mode::unified);
}

TEST(Layout, HostLayoutHasHierarchies) {
    Layout layout = current_layout();
    EXPECT_FALSE(layout.hierarchies.empty());
    for (const Hierarchy& hierarchy : layout.hierarchies) {
        EXPECT_EQ(hierarchy.mount_point[0], '/');
        EXPECT_TRUE(hierarchy.unified || !hierarchy.controllers.empty()) << hierarchy.mount_point;
    }
}

}  // namespace
}  // namespace ocirun::cgroups
