// Framing and transport of the runtime-init sync messages.
#include "process/sync_protocol.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace ocirun::process {

namespace {

struct FrameHeader {
    uint32_t type;
    int32_t error_number;
    uint32_t kind;
};

constexpr uint32_t kLastMessage = static_cast<uint32_t>(SyncMessage::error);
constexpr uint32_t kLastKind = static_cast<uint32_t>(ErrorKind::unsupported);

}  // namespace

const char* sync_message_name(SyncMessage type) {
    switch (type) {
        case SyncMessage::start:
            return "start";
        case SyncMessage::id_map_request:
            return "id_map_request";
        case SyncMessage::id_map_done:
            return "id_map_done";
        case SyncMessage::init_pid:
            return "init_pid";
        case SyncMessage::run_hooks:
            return "run_hooks";
        case SyncMessage::hooks_done:
            return "hooks_done";
        case SyncMessage::ready:
            return "ready";
        case SyncMessage::warning:
            return "warning";
        case SyncMessage::error:
            return "error";
    }
    return "unknown";
}

std::string encode_sync_frame(const SyncFrame& frame) {
    FrameHeader header{static_cast<uint32_t>(frame.type), frame.error_number,
                       static_cast<uint32_t>(frame.kind)};
    std::string bytes(reinterpret_cast<const char*>(&header), sizeof(header));
    bytes.append(frame.payload, 0, kMaxSyncPayload);
    return bytes;
}

SyncFrame decode_sync_frame(std::string_view bytes) {
    if (bytes.size() < sizeof(FrameHeader)) {
        throw_error("sync message of " + std::to_string(bytes.size()) +
                    " bytes is shorter than its header");
    }
    FrameHeader header;
    std::memcpy(&header, bytes.data(), sizeof(header));
    if (header.type == 0 || header.type > kLastMessage) {
        throw_error("unknown sync message type " + std::to_string(header.type));
    }
    if (header.kind > kLastKind) {
        throw_error("unknown error kind " + std::to_string(header.kind) + " in sync message");
    }
    SyncFrame frame;
    frame.type = static_cast<SyncMessage>(header.type);
    frame.error_number = header.error_number;
    frame.kind = static_cast<ErrorKind>(header.kind);
    frame.payload = std::string(bytes.substr(sizeof(FrameHeader)));
    return frame;
}

std::pair<int, int> make_sync_socket_pair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
        throw_errno("create sync socket pair");
    }
    return {fds[0], fds[1]};
}

void SyncSocket::send(SyncMessage type, std::string_view payload, int32_t error_number) const {
    SyncFrame frame{type, error_number, ErrorKind::generic, std::string(payload)};
    std::string bytes = encode_sync_frame(frame);
    ssize_t sent;
    do {
        sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        throw_errno(std::string("send sync message ") + sync_message_name(type));
    }
}

void SyncSocket::send_error(const Error& error) const {
    SyncFrame frame{SyncMessage::error, error.error_number(), error.kind(), error.what()};
    std::string bytes = encode_sync_frame(frame);
    // Best effort: the sender exits right after, and the runtime notices the closed socket.
    (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

void SyncSocket::send_warning(std::string_view message) const {
    send(SyncMessage::warning, message);
}

SyncFrame SyncSocket::receive() const {
    std::string buffer(sizeof(FrameHeader) + kMaxSyncPayload, '\0');
    ssize_t received;
    do {
        received = ::recv(fd_, buffer.data(), buffer.size(), MSG_TRUNC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        throw_errno("receive sync message");
    }
    if (received == 0) {
        throw_error("container init exited during setup");
    }
    if (static_cast<size_t>(received) > buffer.size()) {
        throw_error("sync message of " + std::to_string(received) + " bytes is too long");
    }
    buffer.resize(static_cast<size_t>(received));
    return decode_sync_frame(buffer);
}

SyncFrame SyncSocket::expect(SyncMessage type) const {
    for (;;) {
        SyncFrame frame = receive();
        if (frame.type == SyncMessage::warning) {
            log::warning(frame.payload);
            continue;
        }
        if (frame.type == SyncMessage::error) {
            throw Error(frame.payload, frame.error_number, frame.kind);
        }
        if (frame.type != type) {
            throw_error(std::string("expected sync message ") + sync_message_name(type) + ", got " +
                        sync_message_name(frame.type));
        }
        return frame;
    }
}

}  // namespace ocirun::process
