// pivot_root and the MS_MOVE + chroot alternative.
#include "rootfs/pivot.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.h"
#include "rootfs/fd.h"

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
    // NOTE: runc also unmounts or hides the host's mounts outside the rootfs here; they stay
    // in this mount namespace, unreachable from the new root.
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
