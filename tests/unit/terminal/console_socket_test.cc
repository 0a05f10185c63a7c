// Tests for send_console against a listener made by the test.
#include "terminal/console_socket.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.h"
#include "terminal/fd_passing.h"
#include "terminal/pty.h"

namespace ocirun::terminal {
namespace {

// A listening unix stream socket in a fresh temporary directory, removed with it.
class Listener {
  public:
    Listener() {
        char pattern[] = "/tmp/ocirun-console-XXXXXX";
        EXPECT_NE(::mkdtemp(pattern), nullptr);
        directory_ = pattern;
        path_ = directory_ + "/console.sock";

        socket_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path_.c_str());
        EXPECT_EQ(::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
        EXPECT_EQ(::listen(socket_.get(), 1), 0);
    }
    ~Listener() {
        ::unlink(path_.c_str());
        ::rmdir(directory_.c_str());
    }

    const std::string& path() const { return path_; }

    // Accepts the connection that send_console already made and left its message in.
    UniqueFd accept() const {
        return UniqueFd(::accept4(socket_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    }

  private:
    std::string directory_;
    std::string path_;
    UniqueFd socket_;
};

TEST(ConsoleSocket, SendsPtmxPayloadAndMaster) {
    Listener listener;
    Pty pty = open_pty();

    send_console(listener.path(), pty.master.get());
    UniqueFd connection = listener.accept();
    ASSERT_TRUE(connection.valid());
    ReceivedFd received = receive_fd(connection.get());

    EXPECT_EQ(received.payload, "/dev/ptmx");
    EXPECT_EQ(pty_number(received.fd.get()), pty_number(pty.master.get()));
}

TEST(ConsoleSocket, ClosesConnectionAfterOneMessage) {
    Listener listener;
    Pty pty = open_pty();

    send_console(listener.path(), pty.master.get());
    UniqueFd connection = listener.accept();
    ASSERT_TRUE(connection.valid());
    receive_fd(connection.get());

    char byte = 0;
    EXPECT_EQ(::recv(connection.get(), &byte, 1, 0), 0);
}

TEST(ConsoleSocket, MissingSocketThrowsWithPath) {
    Pty pty = open_pty();

    try {
        send_console("/nonexistent/console.sock", pty.master.get());
        FAIL() << "send_console connected to a missing socket";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("`/nonexistent/console.sock`"), std::string::npos)
            << error.what();
    }
}

TEST(ConsoleSocket, OverlongPathThrows) {
    Pty pty = open_pty();

    EXPECT_THROW(send_console("/tmp/" + std::string(200, 'a'), pty.master.get()), Error);
}

}  // namespace
}  // namespace ocirun::terminal
