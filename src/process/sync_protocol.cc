// Framing and transport of the runtime-init sync messages.
#include "process/sync_protocol.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "terminal/fd_passing.h"

namespace ocirun::process {

namespace {

struct FrameHeader {
    uint32_t type;
    int32_t error_number;
    uint32_t kind;
};

constexpr uint32_t kLastMessage = static_cast<uint32_t>(SyncMessage::seccomp_done);
constexpr uint32_t kLastKind = static_cast<uint32_t>(ErrorKind::unsupported);

terminal::UniqueFd take_attached_fd(msghdr& message) {
    terminal::UniqueFd fd;
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS &&
            header->cmsg_len == CMSG_LEN(sizeof(int))) {
            int received = -1;
            std::memcpy(&received, CMSG_DATA(header), sizeof(int));
            fd.reset(received);
        }
    }
    return fd;
}

}  // namespace

bool log_message_frame(const SyncFrame& frame) {
    if (frame.type == SyncMessage::warning) {
        log::warning(frame.payload);
        return true;
    }
    if (frame.type == SyncMessage::debug) {
        log::debug(frame.payload);
        return true;
    }
    return false;
}

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
        case SyncMessage::debug:
            return "debug";
        case SyncMessage::terminal:
            return "terminal";
        case SyncMessage::seccomp_fd:
            return "seccomp_fd";
        case SyncMessage::seccomp_done:
            return "seccomp_done";
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

std::string encode_start_message(const StartMessage& message) {
    nlohmann::json json;
    json["cgroups"] = message.cgroup_relative_paths;
    json["join"] = message.join_files;
    return json.dump();
}

StartMessage decode_start_message(const std::string& payload) {
    StartMessage message;
    try {
        nlohmann::json json = nlohmann::json::parse(payload);
        message.cgroup_relative_paths =
            json.at("cgroups").get<std::map<std::string, std::string>>();
        message.join_files = json.at("join").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& error) {
        throw_error(std::string("malformed start message: ") + error.what());
    }
    return message;
}

bool exchanges_hook_messages(const spec::Spec& spec) {
    bool has_hooks =
        spec.hooks &&
        (!spec.hooks->prestart.empty() || !spec.hooks->create_runtime.empty() ||
         !spec.hooks->create_container.empty() || !spec.hooks->start_container.empty());
    bool has_net_devices = spec.linux_config && !spec.linux_config->net_devices.empty();
    return has_hooks || has_net_devices;
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

void SyncSocket::send_with_fd(SyncMessage type, int fd) const {
    terminal::send_fd(fd_, fd, encode_sync_frame(SyncFrame{type, 0, ErrorKind::generic, {}}));
}

SyncFrame SyncSocket::receive(terminal::UniqueFd* attached) const {
    // One buffer for every message of the process. It is in .bss, so the kernel maps only the
    // pages a message touches, with no allocation and no zeroing per message. ocirun starts no
    // threads, and the frame is copied out before the next receive.
    static char buffer[sizeof(FrameHeader) + kMaxSyncPayload];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec io{buffer, sizeof(buffer)};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    ssize_t received;
    do {
        received = ::recvmsg(fd_, &message, MSG_TRUNC | MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        throw_errno("receive sync message");
    }
    terminal::UniqueFd fd = take_attached_fd(message);
    if (received == 0) {
        throw_error("container init exited during setup");
    }
    if (static_cast<size_t>(received) > sizeof(buffer)) {
        throw_error("sync message of " + std::to_string(received) + " bytes is too long");
    }
    SyncFrame frame = decode_sync_frame(std::string_view(buffer, static_cast<size_t>(received)));
    if (attached != nullptr) {
        *attached = std::move(fd);
    }
    return frame;
}

SyncFrame SyncSocket::expect(SyncMessage type) const {
    for (;;) {
        SyncFrame frame = receive();
        if (log_message_frame(frame)) {
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
