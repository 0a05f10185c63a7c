// Checks that no fd and no working directory of the container process reaches the host.
#include "security/host_fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#include "base/error.h"
#include "security/procfs.h"

namespace ocirun::security {
namespace {

// Deeper trees than this are treated as outside the root; no real rootfs comes close.
constexpr int kMaxDepth = 4096;

// A directory as the mount it was reached through plus its inode, so that the same directory
// seen through another mount is a different place.
struct Identity {
    dev_t device = 0;
    ino_t inode = 0;
    unsigned long long mount_id = 0;

    bool operator==(const Identity&) const = default;
};

Identity identity_of(int dirfd, const char* path, int flags) {
    struct statx status {};
    if (statx(dirfd, path, flags, STATX_INO | STATX_MNT_ID, &status) != 0) {
        throw_errno(std::string("stat ") + quote(path));
    }
    return {makedev(status.stx_dev_major, status.stx_dev_minor), status.stx_ino, status.stx_mnt_id};
}

Identity identity_of_fd(int fd) {
    return identity_of(fd, "", AT_EMPTY_PATH);
}

std::string fd_target(int proc_fd_dir, int fd) {
    char target[PATH_MAX] = {};
    ssize_t length = readlinkat(proc_fd_dir, std::to_string(fd).c_str(), target, sizeof(target));
    return length > 0 ? std::string(target, static_cast<size_t>(length)) : std::string("?");
}

void check_fd(int proc_fd_dir, int fd, int first_unpassed_fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) {
        return;
    }
    struct stat status {};
    if (fstat(fd, &status) != 0) {
        throw_errno("stat fd " + std::to_string(fd));
    }
    if (S_ISDIR(status.st_mode) && !directory_inside_root(fd)) {
        throw_error("fd " + std::to_string(fd) + " (" + quote(fd_target(proc_fd_dir, fd)) +
                    ") is a directory outside the container root; close it before execve");
    }
    if (fd >= first_unpassed_fd && (flags & FD_CLOEXEC) == 0) {
        throw_error("fd " + std::to_string(fd) + " (" + quote(fd_target(proc_fd_dir, fd)) +
                    ") would be inherited by the container process; mark it close-on-exec");
    }
}

}  // namespace

bool directory_inside_root(int fd) {
    Identity root = identity_of(AT_FDCWD, "/", 0);
    int current = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (current < 0) {
        throw_errno("open directory fd " + std::to_string(fd));
    }
    bool inside = false;
    try {
        for (int depth = 0; depth < kMaxDepth; ++depth) {
            Identity here = identity_of_fd(current);
            if (here == root) {
                inside = true;
                break;
            }
            int parent = openat(current, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (parent < 0) {
                throw_errno("open the parent of directory fd " + std::to_string(fd));
            }
            close(current);
            current = parent;
            if (identity_of_fd(current) == here) {
                break;
            }
        }
    } catch (...) {
        close(current);
        throw;
    }
    close(current);
    return inside;
}

void verify_no_host_fds_leak(int first_unpassed_fd) {
    int proc_fd_dir = open_procfs_file("self/fd", O_RDONLY | O_DIRECTORY);
    DIR* listing = fdopendir(proc_fd_dir);
    if (listing == nullptr) {
        int error = errno;
        close(proc_fd_dir);
        throw_errno("list `/proc/self/fd`", error);
    }
    try {
        while (struct dirent* entry = readdir(listing)) {
            char* end = nullptr;
            long fd = std::strtol(entry->d_name, &end, 10);
            if (entry->d_name[0] == '.' || *end != '\0' || fd == proc_fd_dir) {
                continue;
            }
            check_fd(proc_fd_dir, static_cast<int>(fd), first_unpassed_fd);
        }
    } catch (...) {
        closedir(listing);
        throw;
    }
    closedir(listing);
}

void verify_cwd_inside_root() {
    int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0) {
        throw_errno("open the working directory");
    }
    bool inside = false;
    try {
        inside = directory_inside_root(cwd);
    } catch (...) {
        close(cwd);
        throw;
    }
    close(cwd);
    if (inside) {
        return;
    }
    // getcwd only names the directory in the message. The check above does not call it,
    // because a seccomp profile loaded before this point may block getcwd.
    char path[PATH_MAX];
    std::string described_path =
        getcwd(path, sizeof(path)) != nullptr ? quote(path) : "(path unknown)";
    throw_error("working directory " + described_path + " lies outside the container root");
}

}  // namespace ocirun::security
