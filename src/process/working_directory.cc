// Entering process.cwd around the switch to the container user, in runc 1.1's order.
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "process/attributes.h"
#include "security/host_fds.h"

namespace ocirun::process {

bool try_enter_working_directory(const std::string& cwd) {
    if (chdir(cwd.c_str()) == 0) {
        // Checked now, because after the capability drop opening "." may be denied.
        security::verify_cwd_inside_root();
        return true;
    }
    if (errno == EACCES || errno == EPERM) {
        return false;
    }
    throw_errno("chdir to working directory " + quote(cwd));
}

void enter_working_directory(const std::string& cwd) {
    if (chdir(cwd.c_str()) != 0) {
        throw_errno("chdir to working directory " + quote(cwd));
    }
    security::verify_cwd_inside_root();
}

}  // namespace ocirun::process
