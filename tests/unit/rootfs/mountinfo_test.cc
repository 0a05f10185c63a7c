// Tests of mountinfo parsing and of finding cgroup hierarchies in it.
#include "rootfs/mountinfo.h"

#include <gtest/gtest.h>

#include "rootfs/cgroup_mount.h"

namespace ocirun::rootfs {
namespace {

constexpr const char* kMountinfo =
    "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid master:3 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "40 31 0:37 /docker /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
    "42 27 0:39 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
    "malformed line\n";

TEST(ParseMountinfo, Fields) {
    std::vector<MountInfo> mounts = parse_mountinfo(kMountinfo);
    ASSERT_EQ(mounts.size(), 6U);
    EXPECT_EQ(mounts[0].mount_point, "/");
    EXPECT_EQ(mounts[0].fs_type, "ext4");
    EXPECT_EQ(mounts[0].source, "/dev/vda");
    ASSERT_EQ(mounts[0].optional_fields.size(), 1U);
    EXPECT_EQ(mounts[0].optional_fields[0], "shared:1");
    EXPECT_EQ(mounts[2].mount_options, (std::vector<std::string>{"rw", "nosuid"}));
    EXPECT_EQ(mounts[3].root, "/docker");
    EXPECT_EQ(mounts[5].mount_point, "/mnt/with space");
}

TEST(ParseCgroupMounts, Hierarchies) {
    std::vector<CgroupHierarchy> hierarchies = parse_cgroup_mounts(kMountinfo);
    ASSERT_EQ(hierarchies.size(), 3U);
    EXPECT_EQ(hierarchies[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
    EXPECT_EQ(hierarchies[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
    EXPECT_EQ(hierarchies[1].controllers, (std::vector<std::string>{"name=systemd"}));
    EXPECT_EQ(hierarchies[1].root, "/docker");
    EXPECT_TRUE(hierarchies[2].unified);
    EXPECT_TRUE(hierarchies[2].controllers.empty());
}

}  // namespace
}  // namespace ocirun::rootfs
