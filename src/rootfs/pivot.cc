// pivot_root and the MS_MOVE + chroot alternative.
#include "rootfs/pivot.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "rootfs/fd.h"
#include "rootfs/mountinfo.h"

namespace ocirun::rootfs {
namespace {

Fd open_directory(const std::string& path) {
    Fd directory(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!directory.valid()) {
        throw_errno("open " + quote(path));
    }
    return directory;
}

void change_directory(int fd, const std::string& path) {
    if (::fchdir(fd) != 0) {
        throw_errno("chdir " + quote(path));
    }
}

bool is_below(const std::string& path, const std::string& directory) {
    return path == directory || path.rfind(directory + "/", 0) == 0;
}

// Detaches every procfs and sysfs mount outside `rootfs`, or covers it with a tmpfs where it
// cannot be unmounted. After chroot they would stay in the mount namespace, and the kernel
// allows a new procfs or sysfs mount in a child user namespace when a full one is visible
// there, which would bypass maskedPaths. runc 1.1.5 does the same in msMoveRoot.
void hide_host_proc_and_sys(const std::string& rootfs) {
    for (const MountInfo& mount : read_mountinfo()) {
        if ((mount.fs_type != "proc" && mount.fs_type != "sysfs") ||
            is_below(mount.mount_point, rootfs)) {
            continue;
        }
        const char* path = mount.mount_point.c_str();
        // Made rslave first, so that the detach does not propagate to the host.
        if (::mount(nullptr, path, nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
            if (errno == ENOENT) {
                continue;  // below a mount detached earlier in this loop
            }
            throw_errno("make " + quote(mount.mount_point) + " rslave");
        }
        if (::umount2(path, MNT_DETACH) == 0) {
            continue;
        }
        if (errno != EINVAL && errno != EPERM) {
            throw_errno("unmount " + quote(mount.mount_point));
        }
        if (::mount("tmpfs", path, "tmpfs", 0, nullptr) != 0) {
            throw_errno("cover " + quote(mount.mount_point) + " with a tmpfs");
        }
    }
}

}  // namespace

void pivot_to(const std::string& rootfs) {
    Fd old_root = open_directory("/");
    Fd new_root = open_directory(rootfs);
    change_directory(new_root.get(), rootfs);
    // With both arguments ".", the old root is stacked on top of the new one, so no directory
    // for it is needed inside the image.
    if (::syscall(SYS_pivot_root, ".", ".") != 0) {
        throw_errno("pivot_root " + quote(rootfs));
    }
    change_directory(old_root.get(), "/");
    if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
        throw_errno("make the old root rslave");
    }
    if (::umount2(".", MNT_DETACH) != 0) {
        throw_errno("unmount the old root");
    }
    if (::chdir("/") != 0) {
        throw_errno("chdir " + quote("/"));
    }
}

void move_root_to(const std::string& rootfs) {
    hide_host_proc_and_sys(rootfs);
    if (::chdir(rootfs.c_str()) != 0) {
        throw_errno("chdir " + quote(rootfs));
    }
    if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0) {
        throw_errno("move " + quote(rootfs) + " to " + quote("/"));
    }
    if (::chroot(".") != 0) {
        throw_errno("chroot " + quote(rootfs));
    }
    if (::chdir("/") != 0) {
        throw_errno("chdir " + quote("/"));
    }
}

}  // namespace ocirun::rootfs
