// Tests for the live status of a container computed from its process, exec.fifo and freezer.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include "state/container_state.h"
#include "state/process_stat.h"
#include "temp_dir.h"

namespace ocirun::state {
namespace {

using testing::TempDir;

// A child process that sleeps until killed; killed and reaped at the end of the test.
class ChildProcess {
  public:
    ChildProcess() {
        pid_ = fork();
        if (pid_ == 0) {
            pause();
            _exit(0);
        }
    }
    ~ChildProcess() { stop(); }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }

  private:
    pid_t pid_ = -1;
};

ContainerState state_for(pid_t pid) {
    ContainerState state;
    state.id = "c1";
    state.bundle = "/b";
    state.pid = pid;
    auto stat = read_process_stat(pid);
    state.pid_start_time = stat ? stat->start_time : 0;
    return state;
}

TEST(CurrentStatus, LiveChildRunning) {
    TempDir temp;
    ChildProcess child;
    ASSERT_GT(child.pid(), 0);
    EXPECT_EQ(current_status(state_for(child.pid()), temp.path()), Status::running);
}

TEST(CurrentStatus, ExecFifoCreated) {
    TempDir temp;
    ChildProcess child;
    ASSERT_GT(child.pid(), 0);
    ASSERT_EQ(mkfifo((temp.path() + "/exec.fifo").c_str(), 0600), 0);
    EXPECT_EQ(current_status(state_for(child.pid()), temp.path()), Status::created);
}

TEST(CurrentStatus, ReapedPidStopped) {
    TempDir temp;
    ChildProcess child;
    ASSERT_GT(child.pid(), 0);
    ContainerState state = state_for(child.pid());
    child.stop();
    EXPECT_EQ(current_status(state, temp.path()), Status::stopped);
}

TEST(CurrentStatus, ZombieStopped) {
    TempDir temp;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        _exit(0);
    }
    ContainerState state = state_for(pid);
    // Waits for the exit without reaping, so the pid stays a zombie.
    siginfo_t info{};
    ASSERT_EQ(waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
    EXPECT_EQ(current_status(state, temp.path()), Status::stopped);
    waitpid(pid, nullptr, 0);
}

TEST(CurrentStatus, WrongStartTimeStopped) {
    TempDir temp;
    ChildProcess child;
    ASSERT_GT(child.pid(), 0);
    ContainerState state = state_for(child.pid());
    state.pid_start_time += 1;
    EXPECT_EQ(current_status(state, temp.path()), Status::stopped);
}

TEST(CurrentStatus, ZeroPidStopped) {
    TempDir temp;
    ContainerState state;
    state.id = "c1";
    EXPECT_EQ(current_status(state, temp.path()), Status::stopped);
}

TEST(CurrentStatus, FrozenV1Paused) {
    TempDir temp;
    ChildProcess child;
    ASSERT_GT(child.pid(), 0);
    std::string freezer = temp.path() + "/freezer";
    std::filesystem::create_directory(freezer);
    ContainerState state = state_for(child.pid());
    state.cgroup_paths["freezer"] = freezer;

    std::ofstream(freezer + "/freezer.state") << "THAWED\n";
    EXPECT_EQ(current_status(state, temp.path()), Status::running);
    std::ofstream(freezer + "/freezer.state") << "FROZEN\n";
    EXPECT_EQ(current_status(state, temp.path()), Status::paused);
}

TEST(CurrentStatus, FrozenV2Paused) {
    TempDir temp;
    ChildProcess child;
    ASSERT_GT(child.pid(), 0);
    std::string unified = temp.path() + "/unified";
    std::filesystem::create_directory(unified);
    ContainerState state = state_for(child.pid());
    state.cgroup_paths[""] = unified;

    std::ofstream(unified + "/cgroup.freeze") << "0\n";
    EXPECT_EQ(current_status(state, temp.path()), Status::running);
    std::ofstream(unified + "/cgroup.freeze") << "1\n";
    EXPECT_EQ(current_status(state, temp.path()), Status::paused);
}

}  // namespace
}  // namespace ocirun::state
