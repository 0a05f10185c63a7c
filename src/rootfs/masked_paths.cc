// Masked and read-only paths, mounted through fds with the new mount API.
#include "rootfs/masked_paths.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/error.h"
#include "rootfs/safe_path.h"

namespace ocirun::rootfs {
namespace {

void move_onto(int tree_fd, int target_fd, const std::string& path) {
    if (::move_mount(tree_fd, "", target_fd, "",
                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
        throw_errno("move_mount onto " + quote(path));
    }
}

Fd make_read_only_tmpfs() {
    Fd context(::fsopen("tmpfs", FSOPEN_CLOEXEC));
    if (!context.valid()) {
        throw_errno("fsopen tmpfs");
    }
    // "ro" on the superblock as well as on the mount, as mount(2) with MS_RDONLY gives.
    if (::fsconfig(context.get(), FSCONFIG_SET_STRING, "source", "tmpfs", 0) != 0 ||
        ::fsconfig(context.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0) != 0 ||
        ::fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
        throw_errno("create a read-only tmpfs");
    }
    Fd mount(::fsmount(context.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
    if (!mount.valid()) {
        throw_errno("fsmount tmpfs");
    }
    return mount;
}

// Opens the container's /dev/null, checking it is the null device so an image cannot make a
// masked file show its own content.
Fd open_null_device(int root_fd) {
    Fd null = open_in_root(root_fd, "/dev/null", O_PATH);
    struct stat status {};
    if (::fstat(null.get(), &status) != 0) {
        throw_errno("stat " + quote("/dev/null"));
    }
    if (!S_ISCHR(status.st_mode) || status.st_rdev != makedev(1, 3)) {
        throw_error(quote("/dev/null") + " in the container is not the null device (1:3)");
    }
    return null;
}

}  // namespace

void mask_path(int root_fd, const std::string& path) {
    try {
        Fd target = open_in_root_if_exists(root_fd, path, O_PATH);
        if (!target.valid()) {
            return;
        }
        struct stat status {};
        if (::fstat(target.get(), &status) != 0) {
            throw_errno("stat " + quote(path));
        }
        Fd tree;
        if (S_ISDIR(status.st_mode)) {
            tree = make_read_only_tmpfs();
        } else {
            Fd null = open_null_device(root_fd);
            tree = Fd(
                ::open_tree(null.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
            if (!tree.valid()) {
                throw_errno("open_tree " + quote("/dev/null"));
            }
        }
        move_onto(tree.get(), target.get(), path);
    } catch (const Error& error) {
        throw error.with_context("mask " + quote(path));
    }
}

void remount_read_only(int mount_fd, const std::string& path) {
    mount_attr read_only{};
    read_only.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(mount_fd, "", AT_EMPTY_PATH, &read_only, sizeof(read_only)) != 0) {
        throw_errno("remount " + quote(path) + " read-only");
    }
}

void make_path_read_only(int root_fd, const std::string& path) {
    try {
        Fd target = open_in_root_if_exists(root_fd, path, O_PATH);
        if (!target.valid()) {
            return;
        }
        Fd tree(::open_tree(target.get(), "",
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
        if (!tree.valid()) {
            throw_errno("open_tree " + quote(path));
        }
        // Like runc, only the top mount becomes read-only; mount_setattr keeps the flags it is
        // not given, so nosuid, nodev and noexec stay as they were.
        remount_read_only(tree.get(), path);
        move_onto(tree.get(), target.get(), path);
    } catch (const Error& error) {
        throw error.with_context("make " + quote(path) + " read-only");
    }
}

}  // namespace ocirun::rootfs
