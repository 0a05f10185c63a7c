// Exit status of a reaped process.
#include "process/exit_status.h"

#include <sys/wait.h>

namespace ocirun::process {

int exit_status_from_wait(int wait_status) {
    if (WIFEXITED(wait_status)) {
        return WEXITSTATUS(wait_status);
    }
    if (WIFSIGNALED(wait_status)) {
        return 128 + WTERMSIG(wait_status);
    }
    // Stopped or continued statuses do not end the process; report them as failures.
    return 255;
}

}  // namespace ocirun::process
