// Handing the seccomp notify fd to the agent at linux.seccomp.listenerPath.
#include "container/seccomp_listener.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::container {
namespace {

terminal::UniqueFd connect_listener(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
        throw_error("linux.seccomp.listenerPath " + quote(path) + ": longer than " +
                        std::to_string(sizeof(address.sun_path) - 1) + " bytes",
                    ErrorKind::invalid_spec);
    }
    std::memcpy(address.sun_path, path.data(), path.size());
    terminal::UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket.valid()) {
        throw_errno("create socket for seccomp listener " + quote(path));
    }
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
        0) {
        throw_errno("connect to seccomp listener " + quote(path));
    }
    return socket;
}

// The runtime-spec state document only: runc's extra fields (rootfs, created, owner) are left
// out, because state-schema.json describes what an agent may expect.
nlohmann::ordered_json process_state(const std::string& metadata,
                                     const state::ContainerState& state, pid_t process_pid,
                                     state::Status status) {
    nlohmann::ordered_json full = state::oci_state(state, status);
    nlohmann::ordered_json container_state;
    for (const char* key : {"ociVersion", "id", "status", "pid", "bundle", "annotations"}) {
        if (full.contains(key)) {
            container_state[key] = full[key];
        }
    }
    nlohmann::ordered_json message;
    message["ociVersion"] = full["ociVersion"];
    message["fds"] = {"seccompFd"};
    message["pid"] = process_pid;
    if (!metadata.empty()) {
        message["metadata"] = metadata;
    }
    message["state"] = container_state;
    return message;
}

}  // namespace

void send_to_seccomp_listener(const std::string& listener_path, const std::string& metadata,
                              int notify_fd, const state::ContainerState& state, pid_t process_pid,
                              state::Status status) {
    if (listener_path.empty()) {
        throw_error("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY",
                    ErrorKind::invalid_spec);
    }
    terminal::UniqueFd socket = connect_listener(listener_path);
    try {
        terminal::send_fd(socket.get(), notify_fd,
                          process_state(metadata, state, process_pid, status).dump());
    } catch (const Error& error) {
        throw error.with_context("send seccomp notify fd to " + quote(listener_path));
    }
}

}  // namespace ocirun::container
