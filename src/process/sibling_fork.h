// Forking a process as the runtime's child from inside the container's namespaces.
#pragma once

#include "process/sync_protocol.h"

namespace ocirun::process {

// Forks a sibling (CLONE_PARENT), so that the new process is the runtime's child and, after a
// setns or unshare of the pid namespace, the first process in it. The caller sends the new pid
// to the runtime as `init_pid` and exits. Returns only in the new process, once the pid is sent.
// `role` names the process in errors, e.g. "container init".
void fork_sibling(const SyncSocket& sync, const char* role);

}  // namespace ocirun::process
