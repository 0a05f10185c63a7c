// Opening files of a real procfs through openat2, checked with fstatfs.
#include "security/procfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include "base/error.h"

namespace ocirun::security {
namespace {

// The inode number of the root directory of every procfs instance (PROC_ROOT_INO).
constexpr ino_t kProcRootInode = 1;

// Resolution for every step after "self": no symlink, no magic link such as /proc/self/cwd or
// /proc/self/root, no mount point (so a bind mount over a procfs file is rejected), and never
// above the starting directory.
constexpr unsigned long long kStrictResolve =
    RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV | RESOLVE_BENEATH;

int openat2_fd(int dirfd, const std::string& path, int flags, unsigned long long resolve) {
    struct open_how how {};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.resolve = resolve;
    long fd;
    do {
        fd = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof(how));
    } while (fd < 0 && errno == EINTR);
    return static_cast<int>(fd);
}

bool is_procfs(int fd) {
    struct statfs info {};
    return fstatfs(fd, &info) == 0 && info.f_type == PROC_SUPER_MAGIC;
}

void check_procfs_root(int fd, const std::string& what) {
    struct stat status {};
    if (!is_procfs(fd)) {
        throw_error(what + " is not on procfs");
    }
    if (fstat(fd, &status) != 0) {
        throw_errno("stat " + what);
    }
    if (status.st_ino != kProcRootInode) {
        throw_error(what + " is not the root of a procfs");
    }
}

// Removes a leading "/proc/" or "/proc" so that paths may be written as the host sees them.
std::string relative_to_proc(const std::string& path) {
    std::string_view rest = path;
    if (rest == "/proc") {
        return ".";
    }
    if (rest.starts_with("/proc/")) {
        rest.remove_prefix(6);
    }
    while (rest.starts_with('/')) {
        rest.remove_prefix(1);
    }
    if (rest.empty()) {
        return ".";
    }
    return std::string(rest);
}

// Opens a new procfs instance of this process's pid namespace as a detached mount, which no
// mount in any namespace can cover. Returns -1 with errno set when this process may not.
int open_private_procfs() {
    int context = static_cast<int>(syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC));
    if (context < 0) {
        return -1;
    }
    int mount_fd = -1;
    if (syscall(SYS_fsconfig, context, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0) {
        mount_fd =
            static_cast<int>(syscall(SYS_fsmount, context, FSMOUNT_CLOEXEC,
                                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
    }
    int error = errno;
    close(context);
    errno = error;
    return mount_fd;
}

int open_mounted_procfs() {
    int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open `/proc`");
    }
    try {
        check_procfs_root(fd, "`/proc`");
    } catch (...) {
        close(fd);
        throw;
    }
    return fd;
}

// Splits "self/attr/exec" into the first component and the rest ("" when there is none).
std::pair<std::string, std::string> split_first(const std::string& path) {
    size_t slash = path.find('/');
    if (slash == std::string::npos) {
        return {path, ""};
    }
    return {path.substr(0, slash), path.substr(slash + 1)};
}

// Opens "self" or "thread-self", the procfs symlinks to this process's pid directory. They are
// plain symlinks inside procfs, so RESOLVE_BENEATH keeps them within `proc_root_fd`.
int open_self_directory(int proc_root_fd, const std::string& name) {
    int fd = openat2_fd(proc_root_fd, name, O_PATH | O_DIRECTORY,
                        RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV | RESOLVE_BENEATH);
    if (fd < 0) {
        throw_errno("open " + quote("/proc/" + name));
    }
    return fd;
}

}  // namespace

int open_procfs_root() {
    int fd = open_private_procfs();
    if (fd >= 0) {
        return fd;
    }
    // NOTE: without the right to mount a procfs (a user namespace that does not own the pid
    // namespace) the mounted /proc is used; its checks reject a fake or shadowed one.
    return open_mounted_procfs();
}

int open_procfs_file_at(int proc_root_fd, const std::string& path, int flags) {
    std::string shown = quote(path);
    check_procfs_root(proc_root_fd, "the procfs root for " + shown);
    auto [first, rest] = split_first(relative_to_proc(path));
    int fd;
    if (first == "self" || first == "thread-self") {
        int self_fd = open_self_directory(proc_root_fd, first);
        fd = rest.empty() ? openat2_fd(self_fd, ".", flags, kStrictResolve)
                          : openat2_fd(self_fd, rest, flags, kStrictResolve);
        int error = errno;
        close(self_fd);
        errno = error;
    } else {
        std::string relative = rest.empty() ? first : first + "/" + rest;
        fd = openat2_fd(proc_root_fd, relative, flags, kStrictResolve);
    }
    if (fd < 0) {
        throw_errno("open " + shown + " on procfs");
    }
    if (!is_procfs(fd)) {
        close(fd);
        throw_error("open " + shown + ": the file is not on procfs");
    }
    return fd;
}

void write_procfs_file_at(int proc_root_fd, const std::string& path, const std::string& content,
                          int flags) {
    int fd = open_procfs_file_at(proc_root_fd, path, flags);
    ssize_t written;
    do {
        written = write(fd, content.data(), content.size());
    } while (written < 0 && errno == EINTR);
    int error = errno;
    close(fd);
    if (written < 0) {
        throw_errno("write " + quote(path), error);
    }
    if (static_cast<size_t>(written) != content.size()) {
        throw_error("write " + quote(path) + ": short write of " + std::to_string(written) +
                    " of " + std::to_string(content.size()) + " bytes");
    }
}

void write_procfs_file(const std::string& path, const std::string& content, int flags) {
    int root = open_procfs_root();
    try {
        write_procfs_file_at(root, path, content, flags);
    } catch (...) {
        close(root);
        throw;
    }
    close(root);
}

int open_procfs_file(const std::string& path, int flags) {
    int root = open_procfs_root();
    try {
        int fd = open_procfs_file_at(root, path, flags);
        close(root);
        return fd;
    } catch (...) {
        close(root);
        throw;
    }
}

}  // namespace ocirun::security
