// Mapping between wait(2) statuses and the exit status a runtime command reports.
#pragma once

namespace ocirun::process {

// Returns the exit code for a wait status: the code itself, or 128+N when killed by signal N,
// as shells and runc report it.
int exit_status_from_wait(int wait_status);

}  // namespace ocirun::process
