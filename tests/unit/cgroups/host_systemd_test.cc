// The systemd driver against this host's systemd: a transient scope with limits, joined and
// stopped. These tests need root, systemd as init and a pure cgroup v2 host, and skip
// otherwise. One test checks the error when systemd is not running, and skips when it is.
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"
#include "cgroups/layout.h"
#include "cgroups/systemd_bus.h"

namespace ocirun::cgroups {
namespace {

// Returns the stdout of `command` without its trailing newline.
std::string run(const std::string& command) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return output;
    }
    char buffer[256];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
        output += buffer;
    }
    pclose(pipe);
    while (!output.empty() && output.back() == '\n') {
        output.pop_back();
    }
    return output;
}

pid_t start_sleeper() {
    pid_t child = fork();
    if (child == 0) {
        for (;;) {
            pause();
        }
    }
    return child;
}

TEST(SystemdDriver, NamesSystemdWhenAbsent) {
    if (systemd_running()) {
        GTEST_SKIP() << "systemd is running here";
    }
    CgroupRequest request{"system.slice:ocirun-test:absent", "absent", true};
    try {
        create(request, getpid());
        FAIL() << "create succeeded without systemd";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
        EXPECT_NE(std::string(error.what()).find("systemd is not running"), std::string::npos)
            << error.what();
    }
}

class HostSystemd : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0 || !systemd_running() || current_layout().mode != Mode::unified) {
            GTEST_SKIP() << "needs root, systemd and a pure cgroup v2 host";
        }
        id_ = "test" + std::to_string(getpid());
        unit_ = "ocirun-" + id_ + ".scope";
        request_ = CgroupRequest{"system.slice:ocirun:" + id_, id_, true};
        child_ = start_sleeper();
    }
    void TearDown() override {
        if (child_ <= 0) {
            return;
        }
        ::kill(child_, SIGKILL);
        if (!paths_.empty()) {
            destroy(paths_);
        }
        waitpid(child_, nullptr, 0);
    }
    std::string show(const std::string& property) {
        return run("systemctl show --value -p " + property + " " + unit_);
    }
    std::string id_;
    std::string unit_;
    CgroupRequest request_;
    CgroupPaths paths_;
    pid_t child_ = -1;
};

TEST_F(HostSystemd, ScopeHoldsProcessWithLimits) {
    request_.resources.emplace();
    request_.resources->memory.emplace();
    request_.resources->memory->limit = 64 << 20;
    request_.resources->pids.emplace();
    request_.resources->pids->limit = 20;
    request_.resources->cpu.emplace();
    request_.resources->cpu->shares = 1024;
    request_.resources->cpu->quota = 50000;
    request_.resources->cpu->period = 100000;
    request_.resources->cpu->cpus = "0";
    request_.annotations = {{"org.systemd.property.TimeoutStopSec", "uint64 7"},
                            {"org.systemd.property.CollectMode", "'inactive-or-failed'"}};
    CreatedCgroup cgroup = create(request_, child_);
    paths_ = cgroup.paths;
    EXPECT_TRUE(cgroup.created);
    ASSERT_EQ(paths_.count(""), 1u);
    const std::string directory = paths_.at("");
    EXPECT_EQ(directory.substr(directory.size() - unit_.size() - 14), "/system.slice/" + unit_);

    EXPECT_EQ(run("systemctl is-active " + unit_), "active");
    EXPECT_EQ(show("Delegate"), "yes");
    EXPECT_EQ(show("TimeoutStopUSec"), "7s");
    EXPECT_EQ(show("CollectMode"), "inactive-or-failed");
    EXPECT_EQ(read_control(directory, "cgroup.procs"), std::to_string(child_));

    // systemd wrote these from the unit properties, because apply_resources is not called.
    EXPECT_EQ(read_control(directory, "memory.max"), std::to_string(64 << 20));
    EXPECT_EQ(read_control(directory, "pids.max"), "20");
    EXPECT_EQ(read_control(directory, "cpu.weight"), "39");
    EXPECT_EQ(read_control(directory, "cpu.max"), "50000 100000");
    EXPECT_EQ(read_control(directory, "cpuset.cpus"), "0");

    destroy(paths_);
    paths_.clear();
    EXPECT_NE(run("systemctl is-active " + unit_), "active");
    EXPECT_FALSE(path_exists(directory));
}

TEST_F(HostSystemd, ResourcesWrittenAfterStart) {
    paths_ = create(request_, child_).paths;
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 32 << 20;
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(paths_.at(""), "memory.max"), std::to_string(32 << 20));
}

TEST_F(HostSystemd, ExistingNonEmptyScopeRejected) {
    paths_ = create(request_, child_).paths;
    pid_t second = start_sleeper();
    EXPECT_THROW(create(request_, second), Error);
    ::kill(second, SIGKILL);
    waitpid(second, nullptr, 0);
    EXPECT_EQ(run("systemctl is-active " + unit_), "active");
}

TEST_F(HostSystemd, DestroyLeavesForeignScope) {
    // A cgroupfs cgroup whose leaf ends in ".scope" but that no unit owns is only removed.
    CgroupRequest plain{"/ocirun-foreign-" + id_ + ".scope", id_, false};
    paths_ = create(plain, child_).paths;
    destroy(paths_);
    EXPECT_FALSE(path_exists(paths_.at("")));
    paths_.clear();
}

}  // namespace
}  // namespace ocirun::cgroups
