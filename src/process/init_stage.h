// The container side of create: runs in the cloned process from clone to execve.
#pragma once

#include <map>
#include <string>

#include "process/container_process.h"

namespace ocirun::process {

// Runs the first stage in the cloned process and, through it, the init stage; never returns.
// Failures before `ready` go to the runtime over `sync_fd`; later ones go to `start` through
// exec.fifo.
[[noreturn]] void run_cloned_process(const InitRequest& request, int sync_fd);

// Runs the init stage in the process that becomes the container: the rootfs, hooks, process
// attributes, then exec.fifo and execve. Throws before `ready`, never returns after it.
[[noreturn]] void run_init(const InitRequest& request, int sync_fd,
                           const std::map<std::string, std::string>& cgroup_relative_paths);

}  // namespace ocirun::process
