// Sending and receiving one fd with SCM_RIGHTS.
#include "terminal/fd_passing.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace ocirun::terminal {
namespace {

// The zero byte that stands for an empty payload on the wire.
constexpr char kEmptyPayloadByte = '\0';

// Closes every fd in the SCM_RIGHTS messages of `message`, so that a rejected message leaks
// nothing.
void close_received_fds(msghdr& message) {
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; ++i) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
            ::close(fd);
        }
    }
}

}  // namespace

void send_fd(int socket, int fd, std::string_view payload) {
    std::string data = payload.empty() ? std::string(1, kEmptyPayloadByte) : std::string(payload);
    iovec vector{data.data(), data.size()};

    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);

    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof(int));

    ssize_t sent = 0;
    do {
        sent = ::sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        throw_errno("send fd " + std::to_string(fd) + " over socket " + std::to_string(socket));
    }
    if (static_cast<size_t>(sent) != data.size()) {
        throw_error("send fd " + std::to_string(fd) + ": sent " + std::to_string(sent) + " of " +
                    std::to_string(data.size()) + " payload bytes");
    }
}

ReceivedFd receive_fd(int socket) {
    // One byte more than the limit, so that an over-long payload shows up as truncation on a
    // stream socket too.
    std::string data(kMaxFdPayload + 1, '\0');
    iovec vector{data.data(), data.size()};

    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);

    ssize_t received = 0;
    do {
        received = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        throw_errno("receive fd from socket " + std::to_string(socket));
    }

    const std::string context = "receive fd from socket " + std::to_string(socket);
    if (received == 0) {
        close_received_fds(message);
        throw_error(context + ": the peer closed the socket");
    }
    if ((message.msg_flags & MSG_CTRUNC) != 0) {
        close_received_fds(message);
        throw_error(context + ": ancillary data truncated, more than one fd was sent");
    }
    if ((message.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(received) > kMaxFdPayload) {
        close_received_fds(message);
        throw_error(context + ": payload longer than " + std::to_string(kMaxFdPayload) + " bytes");
    }

    ReceivedFd result;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    if (header != nullptr && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS &&
        header->cmsg_len == CMSG_LEN(sizeof(int))) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
        result.fd.reset(fd);
    }
    if (!result.fd.valid()) {
        close_received_fds(message);
        throw_error(context + ": no fd attached to the message");
    }

    data.resize(static_cast<size_t>(received));
    if (data.size() == 1 && data[0] == kEmptyPayloadByte) {
        data.clear();
    }
    result.payload = std::move(data);
    return result;
}

}  // namespace ocirun::terminal
