// Passing a file descriptor over a unix socket with SCM_RIGHTS.
#pragma once

#include <string>
#include <string_view>

#include "terminal/unique_fd.h"

namespace ocirun::terminal {

// The largest payload receive_fd accepts; longer payloads are an error.
inline constexpr size_t kMaxFdPayload = 4096;

struct ReceivedFd {
    UniqueFd fd;
    std::string payload;
};

// Sends one message carrying `payload` and `fd` as SCM_RIGHTS. Works on SOCK_STREAM and
// SOCK_SEQPACKET sockets. An empty payload is sent as one zero byte, because a message
// without data cannot carry ancillary data on a stream socket. Throws Error on failure.
void send_fd(int socket, int fd, std::string_view payload);

// Receives one message sent by send_fd. The fd comes back close-on-exec. Throws Error when
// the peer closed the socket, when no fd is attached, or when the payload or the ancillary
// data was truncated.
ReceivedFd receive_fd(int socket);

}  // namespace ocirun::terminal
