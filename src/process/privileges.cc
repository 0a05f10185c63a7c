// The no_new_privs bit of the container process (process.noNewPrivileges) and its dumpable
// flag before execve.
#include <sys/prctl.h>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {

void apply_no_new_privileges() {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        throw_errno("prctl PR_SET_NO_NEW_PRIVS");
    }
}

void make_non_dumpable() {
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        throw_errno("prctl PR_SET_DUMPABLE");
    }
}

}  // namespace ocirun::process
