// Handing the seccomp notify fd to the agent at linux.seccomp.listenerPath.
#pragma once

#include <sys/types.h>

#include <string>

#include "state/container_state.h"

namespace ocirun::container {

// Connects to the unix stream socket `listener_path` and sends one message: the runtime-spec
// ContainerProcessState JSON (ociVersion, fds ["seccompFd"], pid, metadata, state) with
// `notify_fd` attached as SCM_RIGHTS, as runc 1.1 does. `process_pid` is the process that
// loaded the filter and `status` the container's status in `state`: init's pid and "creating"
// for create, the exec'd process's pid and "running" for exec. Does not close `notify_fd`.
// Throws Error naming the path on failure.
void send_to_seccomp_listener(const std::string& listener_path, const std::string& metadata,
                              int notify_fd, const state::ContainerState& state, pid_t process_pid,
                              state::Status status);

}  // namespace ocirun::container
