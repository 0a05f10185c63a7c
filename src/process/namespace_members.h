// Finding a container's processes through its namespaces, for a container without a cgroup
// (a rootless container on a host that delegates none to the user).
#pragma once

#include <sys/types.h>

#include <vector>

namespace ocirun::process {

// Returns the host pids of `init_pid` and of every process in init's pid namespace or one
// nested below it, init first. When init shares the caller's pid namespace, init's user
// namespace is used the same way. Processes whose namespace link the caller may not open are
// left out: for an unprivileged caller, those of other users outside any user namespace the
// caller owns. Throws Error when init shares both namespaces with the caller, because every
// process on the host would then match.
std::vector<pid_t> container_members(pid_t init_pid);

// Sends `signal` to each process that container_members(init_pid) would list, through a
// pidfd opened before its membership is checked, so that a pid reused meanwhile is never
// signalled. Init is signalled last. Returns how many processes were signalled; those that
// exit meanwhile are skipped.
size_t signal_container_members(pid_t init_pid, int signal);

}  // namespace ocirun::process
