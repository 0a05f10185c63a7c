// The console socket protocol of runc: handing a pty master to the manager.
#pragma once

#include <string>
#include <string_view>

namespace ocirun::terminal {

// The payload runc sends with the master; containerd's and conmon's receivers expect it.
inline constexpr std::string_view kConsolePayload = "/dev/ptmx";

// Connects to the unix stream socket at `console_socket_path`, sends one message whose
// payload is `/dev/ptmx` with `master_fd` attached as SCM_RIGHTS, and closes the connection.
// Does not close `master_fd`. Throws Error naming the path on failure.
void send_console(const std::string& console_socket_path, int master_fd);

}  // namespace ocirun::terminal
