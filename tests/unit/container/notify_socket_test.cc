// The NOTIFY_SOCKET relay without a container: READY= lines, the bind mount added to the spec,
// and forwarding between real sockets with a forked child in the container's place.
#include "container/notify_socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "base/error.h"

namespace ocirun::container {
namespace {

namespace fs = std::filesystem;

TEST(FindReadyLine, FirstLine) {
    EXPECT_EQ(find_ready_line("READY=1"), "READY=1");
    EXPECT_EQ(find_ready_line("READY=1\nSTATUS=up\n"), "READY=1");
}

TEST(FindReadyLine, LaterLine) {
    EXPECT_EQ(find_ready_line("STATUS=starting\nREADY=1\n"), "READY=1");
}

TEST(FindReadyLine, NoReady) {
    EXPECT_EQ(find_ready_line("STATUS=starting"), std::nullopt);
    EXPECT_EQ(find_ready_line(""), std::nullopt);
    EXPECT_EQ(find_ready_line("NOTREADY=1\n"), std::nullopt);
}

TEST(AddNotifyMount, MountAndEnv) {
    std::string dir =
        fs::temp_directory_path() / ("ocirun-notify-mount-" + std::to_string(getpid()));
    fs::create_directory(dir);
    spec::Spec spec;
    spec.process.emplace();
    spec.process->env = {"PATH=/bin", "NOTIFY_SOCKET=/elsewhere"};
    add_notify_mount(spec, dir);

    struct stat status {};
    ASSERT_EQ(stat((dir + "/notify").c_str(), &status), 0);
    EXPECT_TRUE(S_ISDIR(status.st_mode));
    ASSERT_EQ(spec.mounts.size(), 1U);
    EXPECT_EQ(spec.mounts[0].destination, "/run/notify");
    EXPECT_EQ(spec.mounts[0].source, dir + "/notify");
    EXPECT_EQ(spec.mounts[0].options,
              (std::vector<std::string>{"bind", "nosuid", "noexec", "nodev", "ro"}));
    EXPECT_EQ(spec.process->env,
              (std::vector<std::string>{"PATH=/bin", "NOTIFY_SOCKET=/run/notify/notify.sock"}));
    // A second create into the same directory must fail rather than share a socket.
    EXPECT_THROW(add_notify_mount(spec, dir), Error);
    fs::remove_all(dir);
}

// A container directory with its notify/ subdirectory, and the caller's socket of bind_caller.
class RelayTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/ocirun-notify-test-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
        fs::create_directory(dir_ + "/notify");
    }
    void TearDown() override {
        if (caller_fd_ >= 0) {
            close(caller_fd_);
        }
        fs::remove_all(dir_);
    }

    // Binds the caller's socket at a path, or at an abstract name when it starts with "@".
    void bind_caller(const std::string& name) {
        caller_fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(caller_fd_, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        name.copy(address.sun_path, name.size());
        if (name[0] == '@') {
            address.sun_path[0] = '\0';
        }
        socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
        ASSERT_EQ(bind(caller_fd_, reinterpret_cast<const sockaddr*>(&address), length), 0);
    }

    std::optional<std::string> queued_message() const {
        char buffer[256];
        ssize_t count = recv(caller_fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
        if (count < 0) {
            return std::nullopt;
        }
        return std::string(buffer, static_cast<size_t>(count));
    }

    // Forks a child that sends each message to the container's socket and exits; returns a
    // pidfd of the child.
    int spawn_sender(const std::vector<std::string>& messages) {
        pid_t pid = fork();
        if (pid == 0) {
            int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
            sockaddr_un address{};
            address.sun_family = AF_UNIX;
            std::string path = dir_ + "/notify/notify.sock";
            path.copy(address.sun_path, path.size());
            for (const std::string& message : messages) {
                sendto(fd, message.data(), message.size(), 0,
                       reinterpret_cast<const sockaddr*>(&address), sizeof(address));
            }
            _exit(0);
        }
        child_ = pid;
        return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    }

    void reap() {
        int status = 0;
        waitpid(child_, &status, 0);
    }

    std::string dir_;
    int caller_fd_ = -1;
    pid_t child_ = -1;
};

TEST_F(RelayTest, ForwardsReadyAndMainPid) {
    bind_caller(dir_ + "/caller.sock");
    NotifySocket notify(dir_, dir_ + "/caller.sock");
    struct stat status {};
    ASSERT_EQ(stat((dir_ + "/notify/notify.sock").c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0777U);

    int pidfd = spawn_sender({"STATUS=starting", "READY=1\nSTATUS=up"});
    ASSERT_GE(pidfd, 0);
    EXPECT_TRUE(notify.forward_ready(pidfd, 4321));
    close(pidfd);
    reap();
    EXPECT_EQ(queued_message(), "READY=1\n");
    EXPECT_EQ(queued_message(), "MAINPID=4321\n");
    EXPECT_EQ(queued_message(), std::nullopt);
}

TEST_F(RelayTest, ExitWithoutReady) {
    bind_caller(dir_ + "/caller.sock");
    NotifySocket notify(dir_, dir_ + "/caller.sock");
    int pidfd = spawn_sender({"STATUS=giving up"});
    ASSERT_GE(pidfd, 0);
    EXPECT_FALSE(notify.forward_ready(pidfd, 4321));
    close(pidfd);
    reap();
    EXPECT_EQ(queued_message(), std::nullopt);
}

TEST_F(RelayTest, AbstractCallerSocket) {
    std::string name = "@ocirun-notify-test-" + std::to_string(getpid());
    bind_caller(name);
    NotifySocket notify(dir_, name);
    int pidfd = spawn_sender({"READY=1"});
    ASSERT_GE(pidfd, 0);
    EXPECT_TRUE(notify.forward_ready(pidfd, 7));
    close(pidfd);
    reap();
    EXPECT_EQ(queued_message(), "READY=1\n");
}

// sun_path has room for 108 bytes, so a longer caller path is reached through its directory.
TEST_F(RelayTest, LongCallerPath) {
    std::string long_dir = dir_ + "/" + std::string(60, 'd');
    fs::create_directories(long_dir + "/" + std::string(60, 'e'));
    std::string path = long_dir + "/" + std::string(60, 'e') + "/caller.sock";
    ASSERT_GT(path.size(), sizeof(sockaddr_un::sun_path));
    // bind needs the same detour, so the caller's socket is bound from inside its directory.
    std::string cwd = fs::current_path();
    fs::current_path(long_dir + "/" + std::string(60, 'e'));
    bind_caller("caller.sock");
    fs::current_path(cwd);

    NotifySocket notify(dir_, path);
    int pidfd = spawn_sender({"READY=1"});
    ASSERT_GE(pidfd, 0);
    EXPECT_TRUE(notify.forward_ready(pidfd, 7));
    close(pidfd);
    reap();
    EXPECT_EQ(queued_message(), "READY=1\n");
}

TEST_F(RelayTest, MissingCallerSocket) {
    EXPECT_THROW(NotifySocket(dir_, dir_ + "/missing.sock"), Error);
}

}  // namespace
}  // namespace ocirun::container
