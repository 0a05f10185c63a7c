// NOTIFY_SOCKET passthrough: relaying the container's sd_notify READY message to the socket
// of the caller (systemd, podman), as runc 1.1.5 does.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "container/operations.h"
#include "spec/spec.h"
#include "terminal/unique_fd.h"

namespace ocirun::container {

// The socket's directory and path inside the container. runc 1.1.5 uses the same paths,
// whatever the caller's NOTIFY_SOCKET is.
inline constexpr const char* kNotifyDirInContainer = "/run/notify";
inline constexpr const char* kNotifySocketInContainer = "/run/notify/notify.sock";

// Returns the caller's $NOTIFY_SOCKET, or "" when it is unset or empty.
std::string caller_notify_socket();

// Returns CONTAINER_DIR/notify, the host directory that contains the container's socket.
std::string notify_dir(const std::string& container_dir);

// Prepares create for the relay: makes CONTAINER_DIR/notify (mode 0755) and adds to `spec` a
// read-only bind mount of it at /run/notify and NOTIFY_SOCKET=/run/notify/notify.sock to
// process.env. The socket itself is bound later, by start.
void add_notify_mount(spec::Spec& spec, const std::string& container_dir);

// Returns the first line of an sd_notify message that starts with READY=, without its newline.
// runc 1.1.5 checks only the message's first line, but every line is checked here, so that
// "STATUS=...\nREADY=1" counts too.
std::optional<std::string> find_ready_line(std::string_view message);

// The relay: a datagram socket bound at CONTAINER_DIR/notify/notify.sock for the container,
// and one connected to the caller's NOTIFY_SOCKET.
class NotifySocket {
  public:
    // Binds the container's socket, mode 0777 so that every container user can send to it,
    // and connects to `caller_socket` (a path, or an abstract name starting with "@"). Throws
    // Error when either fails, so that `start` can fail before it releases the container.
    NotifySocket(const std::string& container_dir, const std::string& caller_socket);

    // Waits until the container sends a datagram with a READY= line, or until the process of
    // `pidfd` exits. On READY= it sends that line and then MAINPID=`main_pid` to the caller
    // and returns true. Other messages are dropped, as runc drops them.
    bool forward_ready(int pidfd, pid_t main_pid);

  private:
    terminal::UniqueFd socket_;
    terminal::UniqueFd caller_;
    std::string caller_socket_;
};

// The process that MAINPID names once the container is ready.
enum class NotifyMainPid {
    container_init,  // `start` and `run --detach`: the runtime exits, init stays
    runtime,         // `run` in the foreground: the runtime stays until init exits
};

// `start`, with the MAINPID that follows READY=1 chosen by the caller. start() uses
// container_init; a foreground `run` uses runtime.
void start_container(const GlobalOptions& global, const std::string& id, NotifyMainPid main_pid);

struct CreatedContainer;

// start_container for the container that `run` has just created, with the lock and state that
// create_container returned. The lock is released on return.
void start_created(const GlobalOptions& global, CreatedContainer& created, NotifyMainPid main_pid);

}  // namespace ocirun::container
