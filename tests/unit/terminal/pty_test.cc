// Tests for allocating a pty and attaching it to a process.
#include "terminal/pty.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

#include "base/error.h"

namespace ocirun::terminal {
namespace {

// Runs `body` in a forked child and returns the exit status, which is the value `body` returns.
int run_in_child(const std::function<int()>& body) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int status = 1;
        try {
            status = body();
        } catch (const std::exception& error) {
            std::fprintf(stderr, "child: %s\n", error.what());
            status = 100;
        }
        ::_exit(status);
    }
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

dev_t device_of(int fd) {
    struct stat status {};
    EXPECT_EQ(::fstat(fd, &status), 0);
    return status.st_rdev;
}

TEST(Pty, PeerReceivesWhatMasterWrites) {
    Pty pty = open_pty();
    // Raw mode on the peer, so the line discipline passes bytes without waiting for a newline.
    termios attributes{};
    ASSERT_EQ(::tcgetattr(pty.peer.get(), &attributes), 0);
    ::cfmakeraw(&attributes);
    ASSERT_EQ(::tcsetattr(pty.peer.get(), TCSANOW, &attributes), 0);

    ASSERT_EQ(::write(pty.master.get(), "ab", 2), 2);
    char buffer[2] = {};
    ASSERT_EQ(::read(pty.peer.get(), buffer, 2), 2);

    EXPECT_EQ(std::string(buffer, 2), "ab");
}

TEST(Pty, PeerIsPtsOfMaster) {
    Pty pty = open_pty();
    std::string expected = "/dev/pts/" + std::to_string(pty_number(pty.master.get()));

    char name[64] = {};
    ASSERT_EQ(::ttyname_r(pty.peer.get(), name, sizeof(name)), 0);

    EXPECT_EQ(std::string(name), expected);
}

TEST(Pty, FdsAreCloseOnExec) {
    Pty pty = open_pty();

    EXPECT_NE(::fcntl(pty.master.get(), F_GETFD) & FD_CLOEXEC, 0);
    EXPECT_NE(::fcntl(pty.peer.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST(Pty, MissingPtmxThrows) {
    EXPECT_THROW(open_pty("/nonexistent/ptmx"), Error);
}

TEST(Pty, PtyNumberOfPipeThrows) {
    int fds[2] = {-1, -1};
    ASSERT_EQ(::pipe(fds), 0);
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);

    EXPECT_THROW(pty_number(read_end.get()), Error);
}

TEST(Pty, WindowSizeSetOnPeerShowsOnMaster) {
    Pty pty = open_pty();

    set_window_size(pty.peer.get(), WindowSize{40, 132});
    WindowSize size = window_size(pty.master.get());

    EXPECT_EQ(size.rows, 40);
    EXPECT_EQ(size.columns, 132);
}

TEST(Pty, ControllingTerminalInNewSession) {
    Pty pty = open_pty();
    dev_t peer_device = device_of(pty.peer.get());

    int status = run_in_child([&] {
        make_controlling_terminal(pty.peer.get());
        if (::getsid(0) != ::getpid()) {
            return 2;
        }
        if (::tcgetsid(STDIN_FILENO) != ::getpid()) {
            return 3;
        }
        for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
            struct stat fd_status {};
            if (::fstat(fd, &fd_status) != 0 || fd_status.st_rdev != peer_device) {
                return 4 + fd;
            }
        }
        return 0;
    });

    EXPECT_EQ(status, 0);
}

// Makes a private mount namespace with a tmpfs standing in for the container's /dev, and
// returns an fd of that directory. Runs in a forked child only.
int open_private_dev_dir(const std::string& directory) {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", directory.c_str(), "tmpfs", 0, "mode=755") != 0) {
        return -1;
    }
    return ::open(directory.c_str(), O_DIRECTORY | O_CLOEXEC);
}

class MountConsole : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "mounting needs root";
        }
        char pattern[] = "/tmp/ocirun-dev-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        directory_ = pattern;
    }
    void TearDown() override {
        if (!directory_.empty()) {
            ::rmdir(directory_.c_str());
        }
    }

    std::string directory_;
};

TEST_F(MountConsole, CreatesTargetAndBindsPeer) {
    int status = run_in_child([&] {
        int dev_dir = open_private_dev_dir(directory_);
        if (dev_dir < 0) {
            return 2;
        }
        Pty pty = open_pty();
        dev_t peer_device = device_of(pty.peer.get());
        mount_console(pty.peer.get(), dev_dir);
        struct stat console {};
        if (::fstatat(dev_dir, "console", &console, AT_SYMLINK_NOFOLLOW) != 0) {
            return 3;
        }
        return S_ISCHR(console.st_mode) && console.st_rdev == peer_device ? 0 : 4;
    });

    EXPECT_EQ(status, 0);
}

TEST_F(MountConsole, ExistingFileIsCovered) {
    int status = run_in_child([&] {
        int dev_dir = open_private_dev_dir(directory_);
        if (dev_dir < 0) {
            return 2;
        }
        Pty pty = open_pty();
        dev_t peer_device = device_of(pty.peer.get());
        int file = ::openat(dev_dir, "console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        if (file < 0) {
            return 3;
        }
        ::close(file);
        mount_console(pty.peer.get(), dev_dir);
        struct stat console {};
        if (::fstatat(dev_dir, "console", &console, 0) != 0) {
            return 4;
        }
        return console.st_rdev == peer_device ? 0 : 5;
    });

    EXPECT_EQ(status, 0);
}

TEST_F(MountConsole, SymlinkIsRejected) {
    int status = run_in_child([&] {
        int dev_dir = open_private_dev_dir(directory_);
        if (dev_dir < 0) {
            return 2;
        }
        Pty pty = open_pty();
        if (::symlinkat("/etc/hostname", dev_dir, "console") != 0) {
            return 3;
        }
        try {
            mount_console(pty.peer.get(), dev_dir);
        } catch (const Error& error) {
            return std::string(error.what()).find("symlink") != std::string::npos ? 0 : 5;
        }
        return 4;
    });

    EXPECT_EQ(status, 0);
}

}  // namespace
}  // namespace ocirun::terminal
