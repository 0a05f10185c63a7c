#include "process/namespace_members.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "base/error.h"

namespace ocirun::process {
namespace {

// Returns the first pid in /proc/PID/task/PID/children, or 0.
pid_t first_child(pid_t pid) {
    std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                           "/children");
    pid_t child = 0;
    children >> child;
    return child;
}

// Makes a pid namespace whose init forks a child, which makes a nested pid namespace with one
// process of its own. Writes the host pids of init, the child and the nested process to `fd`.
[[noreturn]] void make_pid_namespaces(int fd) {
    if (unshare(CLONE_NEWPID) != 0) {
        _exit(1);
    }
    pid_t init = fork();
    if (init == 0) {
        pid_t child = fork();
        if (child == 0) {
            if (unshare(CLONE_NEWPID) == 0 && fork() == 0) {
                pause();
                _exit(0);
            }
            pause();
            _exit(0);
        }
        pause();
        _exit(0);
    }
    // The holder runs in the host pid namespace, so it reads the host pids of the descendants
    // from /proc.
    pid_t pids[3] = {init, 0, 0};
    for (int i = 0; i < 50 && (pids[1] == 0 || pids[2] == 0); ++i) {
        usleep(20000);
        pids[1] = first_child(init);
        pids[2] = pids[1] == 0 ? 0 : first_child(pids[1]);
    }
    ssize_t written = write(fd, pids, sizeof(pids));
    pause();
    _exit(written == sizeof(pids) ? 0 : 1);
}

// A pid namespace with a nested one, killed when the test ends.
class PidNamespaces : public ::testing::Test {
  protected:
    void SetUp() override {
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        holder_ = fork();
        if (holder_ == 0) {
            make_pid_namespaces(fds[1]);
        }
        close(fds[1]);
        ssize_t count = read(fds[0], pids_, sizeof(pids_));
        close(fds[0]);
        ASSERT_EQ(count, static_cast<ssize_t>(sizeof(pids_)));
        ASSERT_NE(pids_[2], 0) << "the nested pid namespace was not made";
    }
    void TearDown() override {
        if (pids_[0] != 0) {
            kill(pids_[0], SIGKILL);
        }
        kill(holder_, SIGKILL);
        waitpid(holder_, nullptr, 0);
    }

    pid_t holder_ = 0;
    pid_t pids_[3] = {0, 0, 0};  // init, its child, the process in the nested namespace
};

TEST_F(PidNamespaces, MembersIncludeNestedNamespace) {
    std::vector<pid_t> members = container_members(pids_[0]);
    ASSERT_EQ(members.size(), 3U);
    EXPECT_EQ(members[0], pids_[0]);
    EXPECT_NE(std::find(members.begin(), members.end(), pids_[1]), members.end());
    EXPECT_NE(std::find(members.begin(), members.end(), pids_[2]), members.end());
    EXPECT_EQ(std::find(members.begin(), members.end(), holder_), members.end());
}

TEST_F(PidNamespaces, SignalReachesEveryMember) {
    EXPECT_EQ(signal_container_members(pids_[0], SIGKILL), 3U);
    for (pid_t pid : {pids_[1], pids_[2]}) {
        bool exited = false;
        for (int i = 0; i < 100 && !exited; ++i) {
            std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
            std::string pid_field, name, state;
            stat >> pid_field >> name >> state;
            exited = !stat || state == "Z";
            usleep(10000);
        }
        EXPECT_TRUE(exited) << "process " << pid << " survived SIGKILL";
    }
    EXPECT_EQ(kill(holder_, 0), 0) << "the holder outside the namespace was signalled";
}

TEST(ContainerMembers, SharedNamespacesRejected) {
    try {
        container_members(getpid());
        FAIL() << "expected an error for a process in the caller's namespaces";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("cannot be distinguished"), std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace ocirun::process
