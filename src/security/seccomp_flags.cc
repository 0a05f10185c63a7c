// Probing seccomp(2) for the filter flags of linux.seccomp.flags.
#include "security/seccomp_flags.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "security/seccomp_names.h"

namespace ocirun::security {

// seccomp(2) checks the flags before it copies the filter from user memory, so a null filter
// fails with EFAULT when the kernel accepts the flags and with EINVAL when it does not.
bool kernel_accepts_seccomp_flag(unsigned flag) {
    // The kernel accepts WAIT_KILLABLE_RECV only together with NEW_LISTENER.
    if ((flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0) {
        flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    }
    long result = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
    return result < 0 && errno == EFAULT;
}

void check_seccomp_flags_supported(const std::vector<std::string>& names, unsigned flags,
                                   const SeccompFlagProbe& accepts) {
    for (const std::string& name : names) {
        unsigned flag = parse_seccomp_flag(name);
        if ((flags & flag) == 0 || accepts(flag)) {
            continue;
        }
        std::string message =
            "linux.seccomp.flags: " + name + " is not supported by the running kernel";
        if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
            message += " (it needs Linux 5.19 or later)";
        }
        throw_error(message + "; remove it from the profile", ErrorKind::unsupported);
    }
}

}  // namespace ocirun::security
