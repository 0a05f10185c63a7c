// process.terminal: the pty master sent to --console-socket, the container's /dev/pts/0, and a
// foreground run relaying a terminal.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::testing {
namespace {

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

// Accepts one connection that is already queued and receives the fd sent on it.
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

// Reads the master until every peer has closed it (EIO) or nothing arrives for five seconds.
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

// Runs `container` detached with a terminal and a console socket, and returns what the socket
// received: an invalid fd when the socket or the run failed.
terminal::ReceivedFd run_with_console_socket(TestContainer& container) {
    container.config["process"]["terminal"] = true;
    std::string socket_path = container.bundle() + "/console.sock";
    terminal::UniqueFd listener = listen_unix(socket_path);
    EXPECT_TRUE(listener.valid()) << std::strerror(errno);
    CommandResult result = container.run({"--detach", "--console-socket", socket_path});
    EXPECT_EQ(result.status, 0) << result.err;
    if (!listener.valid() || result.status != 0) {
        return {};
    }
    return accept_fd(listener.get());
}

TEST(ConsoleSocket, DetachedRunSendsMaster) {
    TestContainer container({"/bin/sh", "-c", "readlink /proc/self/fd/0; tty"});
    terminal::ReceivedFd received = run_with_console_socket(container);
    ASSERT_TRUE(received.fd.valid());
    EXPECT_EQ(received.payload, "/dev/ptmx");
    EXPECT_EQ(read_until_closed(received.fd.get()), "/dev/pts/0\r\n/dev/pts/0\r\n");
}

TEST(ConsoleSocket, CreateSendsMasterBeforeStart) {
    TestContainer container({"/bin/sh", "-c", "echo started; readlink /dev/console"});
    container.config["process"]["terminal"] = true;
    std::string socket_path = container.bundle() + "/console.sock";
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);

    CommandResult created = container.create({"--console-socket", socket_path});
    ASSERT_EQ(created.status, 0) << created.err;
    terminal::ReceivedFd received = accept_fd(listener.get());
    ASSERT_TRUE(received.fd.valid());
    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    // /dev/console is a bind mount of the pty, not a symlink, so readlink prints nothing.
    EXPECT_EQ(read_until_closed(received.fd.get()), "started\r\n");
}

// /dev/console is created in a read-only /dev before /dev is made read-only, as in runc.
TEST(ConsoleSocket, ReadOnlyDevGetsConsole) {
    TestContainer container({"/bin/grep", "^tmpfs /dev ", "/proc/mounts"});
    container.config["mounts"][1]["options"].push_back("ro");
    terminal::ReceivedFd received = run_with_console_socket(container);
    ASSERT_TRUE(received.fd.valid());
    EXPECT_NE(read_until_closed(received.fd.get()).find(" ro,"), std::string::npos);
}

// The container user owns its pty, as with runc, while the group stays devpts' tty group.
TEST(ConsoleSocket, UserOwnsTerminal) {
    TestContainer container({"/bin/sh", "-c", "stat -c %u $(tty)"});
    container.config["process"]["user"] = {{"uid", 1000}, {"gid", 100}};
    terminal::ReceivedFd received = run_with_console_socket(container);
    ASSERT_TRUE(received.fd.valid());
    EXPECT_EQ(read_until_closed(received.fd.get()), "1000\r\n");
}

TEST(ConsoleSocket, DetachedTerminalNeedsSocket) {
    TestContainer container({"/bin/true"});
    container.config["process"]["terminal"] = true;
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("--console-socket"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(ConsoleSocket, SocketWithoutTerminalIsRejected) {
    TestContainer container({"/bin/true"});
    CommandResult result = container.create({"--console-socket", "/nonexistent.sock"});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("--console-socket"), std::string::npos) << result.err;
}

TEST(ForegroundTerminal, EchoesTypedInput) {
    TestContainer container({"/bin/sh", "-c", "read line; echo got:$line; tty"});
    container.config["process"]["terminal"] = true;
    container.write_config();
    // script(1) gives the runtime a pty as its stdin; the line is typed once the container runs.
    std::string command = runtime_binary() + " --root " + container.root() + " run --bundle " +
                          container.bundle() + " " + container.id();
    std::string shell =
        "(sleep 0.5; printf 'hello\\n'; sleep 2) | script -qec '" + command + "' /dev/null";
    CommandResult result = run_command({"/bin/sh", "-c", shell}, 20000);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("hello\r\ngot:hello\r\n/dev/pts/0\r\n"), std::string::npos)
        << result.out;
}

}  // namespace
}  // namespace ocirun::testing
