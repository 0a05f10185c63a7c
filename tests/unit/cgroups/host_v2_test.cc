// Freezing, cgroup.kill and eBPF device rules on a scratch cgroup of this host's cgroup v2
// hierarchy; needs root and a cgroup2 mount, skipped otherwise.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/layout.h"

namespace ocirun::cgroups {
namespace {

// Returns the mount point of the cgroup2 hierarchy, or "" when there is none.
std::string unified_mount_point() {
    for (const Hierarchy& hierarchy : current_layout().hierarchies) {
        if (hierarchy.unified) {
            return hierarchy.mount_point;
        }
    }
    return "";
}

// Forks a child that joins `paths`, then opens `device` read-write; returns its errno, 0 when
// the open succeeded.
int open_in_cgroup(const CgroupPaths& paths, const char* device) {
    pid_t child = fork();
    if (child == 0) {
        try {
            add_process(paths, getpid());
        } catch (const Error&) {
            _exit(255);
        }
        int fd = open(device, O_RDWR | O_CLOEXEC);
        _exit(fd >= 0 ? 0 : errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class HostV2 : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string mount_point = geteuid() == 0 ? unified_mount_point() : "";
        if (mount_point.empty()) {
            GTEST_SKIP() << "needs root and a cgroup2 mount";
        }
        directory_ = mount_point + "/ocirun-test-devices-" + std::to_string(getpid());
        ASSERT_EQ(mkdir(directory_.c_str(), 0755), 0) << directory_;
        paths_ = {{"", directory_}};
    }
    void TearDown() override {
        if (!paths_.empty()) {
            destroy(paths_);
        }
    }
    std::string directory_;
    CgroupPaths paths_;
};

TEST_F(HostV2, ProgramAllowsOnlyListedDevices) {
    spec::Resources resources;
    resources.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"},
                         {true, "c", 1, 5, "rwm"},  // /dev/zero
                         {true, "c", 1, 9, "r"}};   // /dev/urandom, read only
    apply_resources(paths_, resources);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/zero"), 0);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/null"), EPERM);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/urandom"), EPERM);  // write is not granted
}

TEST_F(HostV2, LaterRuleWinsAndUpdateReplaces) {
    spec::Resources resources;
    resources.devices = {{true, "a", std::nullopt, std::nullopt, "rwm"}, {false, "c", 1, 3, "w"}};
    apply_resources(paths_, resources);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/null"), EPERM);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/zero"), 0);

    // An update detaches the previous program, so /dev/null opens again.
    resources.devices = {{true, "a", std::nullopt, std::nullopt, "rwm"}};
    apply_resources(paths_, resources);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/null"), 0);
}

// The program for runc's default rules is long enough that its verifier log overflowed the
// buffer, which made Debian 12's 6.1 kernel reject it with ENOSPC.
TEST_F(HostV2, DefaultRulesProgramLoads) {
    spec::Resources resources;
    resources.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"}};
    for (const spec::DeviceCgroupRule& rule : default_device_rules({})) {
        resources.devices.push_back(rule);
    }
    apply_resources(paths_, resources);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/null"), 0);
    EXPECT_EQ(open_in_cgroup(paths_, "/dev/zero"), 0);
}

// Forks a child that joins `paths` and sleeps until killed.
pid_t sleeper_in_cgroup(const CgroupPaths& paths) {
    pid_t child = fork();
    if (child == 0) {
        try {
            add_process(paths, getpid());
        } catch (const Error&) {
            _exit(255);
        }
        for (;;) {
            pause();
        }
    }
    return child;
}

TEST_F(HostV2, FreezeAndThaw) {
    pid_t child = sleeper_in_cgroup(paths_);
    for (int i = 0; i < 100 && list_pids(paths_).empty(); ++i) {
        usleep(10000);
    }
    ASSERT_EQ(list_pids(paths_), std::vector<pid_t>{child});
    freeze(paths_);
    EXPECT_TRUE(is_frozen(paths_));
    thaw(paths_);
    EXPECT_FALSE(is_frozen(paths_));
    ::kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
}

TEST_F(HostV2, SignalAllKillUsesCgroupKill) {
    pid_t child = sleeper_in_cgroup(paths_);
    for (int i = 0; i < 100 && list_pids(paths_).empty(); ++i) {
        usleep(10000);
    }
    signal_all(paths_, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace ocirun::cgroups
