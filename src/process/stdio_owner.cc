// Ownership of the container process's stdin, stdout and stderr.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {

void give_stdio_to_user(uint32_t uid) {
    struct stat null_device {};
    if (stat("/dev/null", &null_device) != 0) {
        throw_errno("stat " + quote("/dev/null"));
    }
    for (int fd = 0; fd <= 2; ++fd) {
        struct stat status {};
        if (fstat(fd, &status) != 0) {
            if (errno == EBADF) {
                continue;
            }
            throw_errno("stat fd " + std::to_string(fd));
        }
        // /dev/null is shared by every process of the container and stays root's.
        if (status.st_uid == uid ||
            (S_ISCHR(status.st_mode) && status.st_rdev == null_device.st_rdev)) {
            continue;
        }
        // EINVAL: the gid is not mapped in the user namespace. EPERM: the owner is not mapped.
        // EROFS: the file is on a read-only filesystem. runc ignores these too.
        if (fchown(fd, uid, status.st_gid) != 0 && errno != EINVAL && errno != EPERM &&
            errno != EROFS) {
            throw_errno("chown fd " + std::to_string(fd) + " to uid " + std::to_string(uid));
        }
    }
}

}  // namespace ocirun::process
