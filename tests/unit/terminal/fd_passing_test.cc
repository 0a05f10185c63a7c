// Tests for send_fd and receive_fd over socketpairs.
#include "terminal/fd_passing.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "base/error.h"

namespace ocirun::terminal {
namespace {

struct SocketPair {
    UniqueFd first;
    UniqueFd second;
};

SocketPair make_socket_pair(int type) {
    int fds[2] = {-1, -1};
    EXPECT_EQ(::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds), 0);
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

struct Pipe {
    UniqueFd read_end;
    UniqueFd write_end;
};

Pipe make_pipe() {
    int fds[2] = {-1, -1};
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Writes `text` through `fd` into the pipe and returns what the pipe's read end yields.
std::string round_trip(int fd, const Pipe& pipe, const std::string& text) {
    EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    std::string buffer(text.size(), '\0');
    EXPECT_EQ(::read(pipe.read_end.get(), buffer.data(), buffer.size()),
              static_cast<ssize_t>(text.size()));
    return buffer;
}

TEST(FdPassing, SeqpacketCarriesFdAndPayload) {
    SocketPair sockets = make_socket_pair(SOCK_SEQPACKET);
    Pipe pipe = make_pipe();

    send_fd(sockets.first.get(), pipe.write_end.get(), "master");
    ReceivedFd received = receive_fd(sockets.second.get());

    EXPECT_EQ(received.payload, "master");
    ASSERT_TRUE(received.fd.valid());
    EXPECT_NE(received.fd.get(), pipe.write_end.get());
    EXPECT_EQ(round_trip(received.fd.get(), pipe, "through"), "through");
}

TEST(FdPassing, StreamCarriesFdAndPayload) {
    SocketPair sockets = make_socket_pair(SOCK_STREAM);
    Pipe pipe = make_pipe();

    send_fd(sockets.first.get(), pipe.write_end.get(), "/dev/ptmx");
    ReceivedFd received = receive_fd(sockets.second.get());

    EXPECT_EQ(received.payload, "/dev/ptmx");
    ASSERT_TRUE(received.fd.valid());
    EXPECT_EQ(round_trip(received.fd.get(), pipe, "x"), "x");
}

TEST(FdPassing, ReceivedFdIsCloseOnExec) {
    SocketPair sockets = make_socket_pair(SOCK_SEQPACKET);
    Pipe pipe = make_pipe();

    send_fd(sockets.first.get(), pipe.write_end.get(), "fd");
    ReceivedFd received = receive_fd(sockets.second.get());

    int flags = ::fcntl(received.fd.get(), F_GETFD);
    ASSERT_GE(flags, 0);
    EXPECT_NE(flags & FD_CLOEXEC, 0);
}

TEST(FdPassing, EmptyPayloadRoundTrips) {
    SocketPair sockets = make_socket_pair(SOCK_SEQPACKET);
    Pipe pipe = make_pipe();

    send_fd(sockets.first.get(), pipe.write_end.get(), "");
    ReceivedFd received = receive_fd(sockets.second.get());

    EXPECT_EQ(received.payload, "");
    EXPECT_TRUE(received.fd.valid());
}

TEST(FdPassing, MessageWithoutFdThrows) {
    SocketPair sockets = make_socket_pair(SOCK_SEQPACKET);
    ASSERT_EQ(::send(sockets.first.get(), "plain", 5, 0), 5);

    EXPECT_THROW(receive_fd(sockets.second.get()), Error);
}

TEST(FdPassing, ClosedPeerThrows) {
    SocketPair sockets = make_socket_pair(SOCK_SEQPACKET);
    sockets.first.reset();

    try {
        receive_fd(sockets.second.get());
        FAIL() << "receive_fd returned on a closed socket";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("closed"), std::string::npos) << error.what();
    }
}

TEST(FdPassing, OverlongPayloadThrows) {
    SocketPair sockets = make_socket_pair(SOCK_SEQPACKET);
    Pipe pipe = make_pipe();
    std::string payload(kMaxFdPayload + 10, 'a');

    send_fd(sockets.first.get(), pipe.write_end.get(), payload);

    EXPECT_THROW(receive_fd(sockets.second.get()), Error);
}

TEST(FdPassing, SendOnBadSocketThrows) {
    Pipe pipe = make_pipe();

    EXPECT_THROW(send_fd(pipe.read_end.get(), pipe.write_end.get(), "x"), Error);
}

}  // namespace
}  // namespace ocirun::terminal
