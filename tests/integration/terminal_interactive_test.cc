// Interactive terminal use driven from a pty the test owns: window size and SIGWINCH, Ctrl-C,
// an interactive shell, and exec -t.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "harness.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::testing {
namespace {

int64_t now_ms() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// A command running on the slave side of a pty whose master the test holds, so the test acts
// as the user at the terminal. Kills and reaps the command when destroyed if it still runs.
class PtySession {
  public:
    PtySession(const std::vector<std::string>& argv, unsigned short rows, unsigned short columns) {
        winsize size{};
        size.ws_row = rows;
        size.ws_col = columns;
        int master = -1;
        pid_ = forkpty(&master, nullptr, nullptr, &size);
        if (pid_ == 0) {
            std::vector<char*> args;
            for (const auto& arg : argv) {
                args.push_back(const_cast<char*>(arg.c_str()));
            }
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        master_ = terminal::UniqueFd(master);
        // Non-blocking, so that draining after the command exited cannot hang.
        fcntl(master, F_SETFL, O_NONBLOCK);
        if (pid_ > 0) {
            pidfd_ = terminal::UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
        }
    }

    ~PtySession() {
        if (pid_ > 0 && !status_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }

    PtySession(const PtySession&) = delete;
    PtySession& operator=(const PtySession&) = delete;

    bool started() const { return pid_ > 0 && master_.valid() && pidfd_.valid(); }
    const std::string& output() const { return output_; }

    bool write_input(const std::string& text) {
        return write(master_.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
    }

    // Sets the size of the test's terminal, so the kernel sends SIGWINCH to the command.
    bool resize(unsigned short rows, unsigned short columns) {
        winsize size{};
        size.ws_row = rows;
        size.ws_col = columns;
        return ioctl(master_.get(), TIOCSWINSZ, &size) == 0;
    }

    // Reads output until it contains `needle` at or after `from`, or `timeout_ms` passes.
    bool wait_for(const std::string& needle, int timeout_ms, size_t from = 0) {
        int64_t deadline = now_ms() + timeout_ms;
        while (output_.find(needle, from) == std::string::npos) {
            int left = static_cast<int>(deadline - now_ms());
            if (left <= 0 || !read_some(left)) {
                return false;
            }
        }
        return true;
    }

    // Waits for the command to exit, reading its output meanwhile. Returns its exit code, or
    // 128+N when killed by signal N, or nothing after `timeout_ms`.
    std::optional<int> wait_exit(int timeout_ms) {
        int64_t deadline = now_ms() + timeout_ms;
        for (;;) {
            pollfd fds[2] = {{pidfd_.get(), POLLIN, 0}, {master_.get(), POLLIN, 0}};
            int left = static_cast<int>(deadline - now_ms());
            if (left <= 0) {
                return std::nullopt;
            }
            // Once every slave is closed the master reports POLLHUP for good, so it is only
            // polled while it still delivers data.
            int count = master_open_ ? 2 : 1;
            if (poll(fds, count, left) < 0 && errno != EINTR) {
                return std::nullopt;
            }
            if (master_open_ && fds[1].revents != 0) {
                drain_master();
            }
            if ((fds[0].revents & POLLIN) != 0) {
                break;
            }
        }
        drain_master();
        int status = 0;
        waitpid(pid_, &status, 0);
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return status_;
    }

  private:
    // Waits up to `timeout_ms` for output and appends it. Returns false when none can come.
    bool read_some(int timeout_ms) {
        if (!master_open_) {
            return false;
        }
        pollfd entry{master_.get(), POLLIN, 0};
        int ready = poll(&entry, 1, timeout_ms);
        if (ready < 0 && errno == EINTR) {
            return true;
        }
        if (ready <= 0) {
            return false;
        }
        return drain_master();
    }

    // Appends one read of the master. Returns false, and marks the master closed, on EIO or EOF.
    bool drain_master() {
        char buffer[4096];
        ssize_t count = read(master_.get(), buffer, sizeof(buffer));
        if (count < 0 && (errno == EINTR || errno == EAGAIN)) {
            return true;
        }
        if (count <= 0) {
            master_open_ = false;
            return false;
        }
        output_.append(buffer, static_cast<size_t>(count));
        return true;
    }

    pid_t pid_ = -1;
    terminal::UniqueFd master_;
    terminal::UniqueFd pidfd_;
    bool master_open_ = true;
    std::optional<int> status_;
    std::string output_;
};

std::vector<std::string> run_argv(const TestContainer& container) {
    container.write_config();
    return {runtime_binary(), "--root",           container.root(), "run",
            "--bundle",       container.bundle(), container.id()};
}

terminal::UniqueFd listen_unix(const std::string& path) {
    terminal::UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (!socket.valid() ||
        bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(socket.get(), 1) != 0) {
        return terminal::UniqueFd();
    }
    return socket;
}

// Accepts one queued connection and receives the fd sent on it.
terminal::ReceivedFd accept_fd(int listener) {
    pollfd entry{listener, POLLIN, 0};
    if (poll(&entry, 1, 5000) != 1) {
        return {};
    }
    terminal::UniqueFd connection(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) {
        return {};
    }
    return terminal::receive_fd(connection.get());
}

// Reads `master` until every peer has closed it (EIO) or nothing arrives for five seconds.
std::string read_until_closed(int master) {
    std::string output;
    for (;;) {
        pollfd entry{master, POLLIN, 0};
        if (poll(&entry, 1, 5000) != 1) {
            return output;
        }
        char buffer[4096];
        ssize_t count = read(master, buffer, sizeof(buffer));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            return output;
        }
        output.append(buffer, static_cast<size_t>(count));
    }
}

TEST(TerminalSize, ForegroundRunFollowsResize) {
    // Each typed line prints the current size again; end of file (Ctrl-D) ends the loop.
    TestContainer container({"/bin/sh", "-c", "stty size; while read line; do stty size; done"});
    container.config["process"]["terminal"] = true;
    PtySession session(run_argv(container), 33, 111);
    ASSERT_TRUE(session.started()) << std::strerror(errno);

    ASSERT_TRUE(session.wait_for("33 111\r\n", 10000)) << session.output();

    ASSERT_TRUE(session.resize(44, 122)) << std::strerror(errno);
    size_t resized_at = session.output().size();
    // The relay handles SIGWINCH and typed input in whichever order it receives them, so the test
    // keeps asking until the new size shows up.
    bool seen = false;
    for (int attempt = 0; attempt < 20 && !seen; ++attempt) {
        ASSERT_TRUE(session.write_input("\n"));
        seen = session.wait_for("44 122\r\n", 250, resized_at);
    }
    EXPECT_TRUE(seen) << session.output();

    ASSERT_TRUE(session.write_input("\x04"));
    std::optional<int> status = session.wait_exit(10000);
    ASSERT_TRUE(status.has_value()) << session.output();
    EXPECT_EQ(*status, 0) << session.output();
}

TEST(TerminalSize, ConsoleSizeSetsInitialSize) {
    TestContainer container({"/bin/sh", "-c", "stty size"});
    container.config["process"]["terminal"] = true;
    container.config["process"]["consoleSize"] = {{"height", 27}, {"width", 99}};
    std::string socket_path = container.bundle() + "/console.sock";
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);

    CommandResult result = container.run({"--detach", "--console-socket", socket_path});
    ASSERT_EQ(result.status, 0) << result.err;
    terminal::ReceivedFd received = accept_fd(listener.get());
    ASSERT_TRUE(received.fd.valid());
    EXPECT_EQ(read_until_closed(received.fd.get()), "27 99\r\n");
}

// Types Ctrl-C every 250 ms until the command exits, for at most 5 s, and returns its status.
// "ready" comes before sh starts sleep, and an interrupt in that gap reaches no sleep, so one
// Ctrl-C right after "ready" loses the race now and then.
std::optional<int> interrupt_until_exit(PtySession& session) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (!session.write_input("\x03")) {
            return std::nullopt;
        }
        if (std::optional<int> status = session.wait_exit(250)) {
            return status;
        }
    }
    return std::nullopt;
}

TEST(TerminalInterrupt, CtrlCRunsShellTrap) {
    TestContainer container(
        {"/bin/sh", "-c", "trap 'echo trapped; exit 7' INT; echo ready; sleep 100"});
    container.config["process"]["terminal"] = true;
    PtySession session(run_argv(container), 24, 80);
    ASSERT_TRUE(session.started()) << std::strerror(errno);
    ASSERT_TRUE(session.wait_for("ready\r\n", 10000)) << session.output();

    std::optional<int> status = interrupt_until_exit(session);
    ASSERT_TRUE(status.has_value()) << session.output();
    EXPECT_EQ(*status, 7) << session.output();
    EXPECT_NE(session.output().find("trapped\r\n"), std::string::npos) << session.output();
}

TEST(TerminalInterrupt, CtrlCEndsShellWith130) {
    // sh is PID 1 of the container, which the kernel shields from SIGINT without a handler,
    // so sh outlives the interrupted sleep and exits with its status, 128 + SIGINT. The
    // trailing `exit $?` stops busybox sh from exec'ing sleep in its place as PID 1.
    TestContainer container({"/bin/sh", "-c", "echo ready; sleep 100; exit $?"});
    container.config["process"]["terminal"] = true;
    PtySession session(run_argv(container), 24, 80);
    ASSERT_TRUE(session.started()) << std::strerror(errno);
    ASSERT_TRUE(session.wait_for("ready\r\n", 10000)) << session.output();

    std::optional<int> status = interrupt_until_exit(session);
    ASSERT_TRUE(status.has_value()) << session.output();
    EXPECT_EQ(*status, 130) << session.output();
}

TEST(InteractiveShell, EvaluatesAndExits) {
    TestContainer container({"/bin/sh"});
    container.config["process"]["terminal"] = true;
    PtySession session(run_argv(container), 24, 80);
    ASSERT_TRUE(session.started()) << std::strerror(errno);
    ASSERT_TRUE(session.wait_for("# ", 10000)) << session.output();

    ASSERT_TRUE(session.write_input("echo $((6*7))\n"));
    // The echoed command line contains "$((6*7))", not 42, so 42 on a line of its own is the
    // shell's result.
    ASSERT_TRUE(session.wait_for("\r\n42\r\n", 5000)) << session.output();

    ASSERT_TRUE(session.write_input("exit 3\n"));
    std::optional<int> status = session.wait_exit(5000);
    ASSERT_TRUE(status.has_value()) << session.output();
    EXPECT_EQ(*status, 3) << session.output();
}

TEST(ExecTerminal, PrintsPtsAndPropagatesStatus) {
    TestContainer container({"/bin/sleep", "100"});
    CommandResult started = container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;

    PtySession session({runtime_binary(), "--root", container.root(), "exec", "-t", container.id(),
                        "/bin/sh", "-c", "tty; exit 5"},
                       24, 80);
    ASSERT_TRUE(session.started()) << std::strerror(errno);
    std::optional<int> status = session.wait_exit(10000);
    ASSERT_TRUE(status.has_value()) << session.output();
    EXPECT_EQ(*status, 5) << session.output();
    EXPECT_EQ(session.output().rfind("/dev/pts/", 0), 0u) << session.output();
}

}  // namespace
}  // namespace ocirun::testing
