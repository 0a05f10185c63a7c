// The container side of exec: what the exec'd process does between its fork and execve.
#pragma once

#include "process/exec_process.h"

namespace ocirun::process {

// Applies the process's terminal, LSM labels, rlimits, seccomp, user, capabilities and cwd in
// the container, then calls execve. Throws on failure and never returns otherwise.
[[noreturn]] void run_exec_stage(const ExecRequest& request, int sync_fd);

}  // namespace ocirun::process
