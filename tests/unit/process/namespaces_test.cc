#include "process/namespaces.h"

#include "process/container_process.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include "base/error.h"

namespace ocirun::process {
namespace {

TEST(Namespaces, CloneFlagsMatchTypes) {
    EXPECT_EQ(clone_flag(spec::NamespaceType::network), CLONE_NEWNET);
    EXPECT_EQ(clone_flag(spec::NamespaceType::time), CLONE_NEWTIME);
    EXPECT_EQ(clone_flag(spec::NamespaceType::cgroup), CLONE_NEWCGROUP);
}

TEST(Namespaces, IdMapHasOneLinePerMapping) {
    std::vector<spec::IdMapping> mappings = {{0, 100000, 65536}, {65536, 1000, 1}};
    EXPECT_EQ(format_id_map(mappings), "0 100000 65536\n65536 1000 1\n");
}

TEST(Namespaces, TimeOffsetsNameEachClock) {
    std::map<std::string, spec::TimeOffset> offsets = {{"boottime", {10, 5}},
                                                       {"monotonic", {-3, 0}}};
    EXPECT_EQ(format_time_offsets(offsets), "boottime 10 5\nmonotonic -3 0\n");
}

TEST(Namespaces, OpenChecksType) {
    int fd = open_namespace("/proc/self/ns/net", spec::NamespaceType::network);
    EXPECT_GE(fd, 0);
    close(fd);
    try {
        open_namespace("/proc/self/ns/net", spec::NamespaceType::ipc);
        FAIL() << "a network namespace opened as ipc";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("is not a ipc namespace"), std::string::npos)
            << error.what();
    }
}

TEST(Namespaces, OpenRejectsPlainFile) {
    EXPECT_THROW(open_namespace("/proc/self/status", spec::NamespaceType::uts), Error);
    EXPECT_THROW(open_namespace("/nonexistent/ns", spec::NamespaceType::uts), Error);
}

TEST(Namespaces, ForkNeededForJoinedPid) {
    spec::Linux linux_config;
    linux_config.namespaces = {{spec::NamespaceType::pid, ""}, {spec::NamespaceType::mount, ""}};
    EXPECT_FALSE(needs_init_fork(linux_config));
    EXPECT_EQ(clone_namespace_flags(linux_config), CLONE_NEWPID | CLONE_NEWNS);
    linux_config.namespaces[0].path = "/proc/1/ns/pid";
    EXPECT_TRUE(needs_init_fork(linux_config));
    EXPECT_EQ(clone_namespace_flags(linux_config), 0);
}

TEST(Namespaces, ForkNeededForUserWithJoined) {
    spec::Linux linux_config;
    linux_config.namespaces = {{spec::NamespaceType::user, ""},
                               {spec::NamespaceType::network, "/proc/1/ns/net"}};
    EXPECT_TRUE(needs_init_fork(linux_config));
    linux_config.namespaces[1].path.clear();
    EXPECT_FALSE(needs_init_fork(linux_config));
}

TEST(Namespaces, CgroupNamespaceIsNeverCloned) {
    spec::Linux linux_config;
    linux_config.namespaces = {{spec::NamespaceType::cgroup, ""}};
    EXPECT_EQ(clone_namespace_flags(linux_config), 0);
}

}  // namespace
}  // namespace ocirun::process
