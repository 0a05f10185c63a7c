// Running the runtime from a write-protected image of its binary (the CVE-2019-5736 class).
//
// ocirun clones the container process without re-exec, so until execve the container's init is
// the host's ocirun binary, and a container program started through `#!/proc/self/exe` is too.
// A process in the container could then open /proc/<pid>/exe and write the host's binary.
//
// ocirun therefore re-executes itself once, before parsing the command, from an image that no
// path lets anyone write:
// - First choice, a detached read-only bind mount of the binary (open_tree OPEN_TREE_CLONE and
//   mount_setattr MOUNT_ATTR_RDONLY). It copies nothing and lives only as long as the process
//   that executes it. It is in no mount namespace, so no one can reach it by path.
//   /proc/<pid>/exe then names the file on that mount (readlink shows "/"), and opening it for
//   writing fails with EROFS. Only a process with CAP_SYS_ADMIN over the mount (which could
//   escape a container in other ways) could clone it and clear the flag.
// - Fallback without CAP_SYS_ADMIN (rootless): a memfd copy sealed against writing, shrinking
//   and growing, which no one can unseal. Its cost grows with the binary's size.
// Cost, measured by timing 3 to 100 calls of each function on the development machine (2 shared
// cores at load 9, kernel 6.18): the bind takes 1.5 to 2 ms at any size (7 ms once for the
// 141 MB sanitizer build, an outlier under load). The memfd copy takes 2 ms for a 0.5 MB binary,
// 54 ms for 8.7 MB and 800 ms for the 141 MB build, which is why the bind comes first. The
// re-exec adds one execve of the binary on top.
#include "security/self_exe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "base/error.h"

extern char** environ;

namespace ocirun::security {
namespace {

constexpr int kRequiredSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

int create_memfd(const char* name) {
    unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
#ifdef MFD_EXEC
    // Kernels since 6.3 may default memfds to non-executable (vm.memfd_noexec); older kernels
    // reject the unknown flag with EINVAL.
    int fd = memfd_create(name, flags | MFD_EXEC);
    if (fd >= 0 || errno != EINVAL) {
        return fd;
    }
#endif
    return memfd_create(name, flags);
}

void copy_contents(int from, int to, off_t size) {
    off_t offset = 0;
    while (offset < size) {
        ssize_t copied = sendfile(to, from, &offset, static_cast<size_t>(size - offset));
        if (copied < 0 && errno == EINTR) {
            continue;
        }
        if (copied < 0) {
            throw_errno("copy the runtime binary into a memfd");
        }
        if (copied == 0) {
            throw_error("copy the runtime binary into a memfd: the binary shrank while copying");
        }
    }
}

int clone_binding(int fd) {
    return open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
}

bool make_binding_readonly(int tree) {
    struct mount_attr attributes {};
    attributes.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    return mount_setattr(tree, "", AT_EMPTY_PATH, &attributes, sizeof(attributes)) == 0;
}

// Opens the image to re-execute: the read-only bind when this process may mount, else the
// sealed copy.
int open_protected_image(int exe) {
    try {
        return make_readonly_binding(exe);
    } catch (const Error& bind_error) {
        if (bind_error.error_number() != EPERM && bind_error.error_number() != ENOSYS) {
            throw;
        }
    }
    return make_sealed_copy(exe, "ocirun");
}

}  // namespace

bool is_sealed_memfd(int fd) {
    int seals = fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & kRequiredSeals) == kRequiredSeals;
}

bool is_write_protected(int fd) {
    struct statvfs mount_info {};
    return is_sealed_memfd(fd) ||
           (fstatvfs(fd, &mount_info) == 0 && (mount_info.f_flag & ST_RDONLY));
}

int make_readonly_binding(int fd) {
    int tree = clone_binding(fd);
    if (tree < 0) {
        throw_errno("clone a bind mount of the runtime binary");
    }
    if (!make_binding_readonly(tree)) {
        int error = errno;
        close(tree);
        throw_errno("make the bind mount of the runtime binary read-only", error);
    }
    return tree;
}

int make_sealed_copy(int fd, const char* name) {
    struct stat status {};
    if (fstat(fd, &status) != 0) {
        throw_errno("stat the runtime binary");
    }
    int memfd = create_memfd(name);
    if (memfd < 0) {
        throw_errno(std::string("create memfd ") + quote(name));
    }
    try {
        copy_contents(fd, memfd, status.st_size);
        if (fcntl(memfd, F_ADD_SEALS, kRequiredSeals) != 0) {
            throw_errno(std::string("seal memfd ") + quote(name));
        }
    } catch (...) {
        close(memfd);
        throw;
    }
    return memfd;
}

void ensure_sealed_self(int argc, char** argv, const SealPredicate& needs_seal) {
    if (!needs_seal(argc, argv)) {
        return;
    }
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0) {
        throw_errno("open `/proc/self/exe`");
    }
    if (is_write_protected(exe)) {
        close(exe);
        return;
    }
    int image;
    try {
        image = open_protected_image(exe);
    } catch (...) {
        close(exe);
        throw;
    }
    close(exe);
    fexecve(image, argv, environ);
    int error = errno;
    close(image);
    throw_errno("execute the write-protected copy of `/proc/self/exe`", error);
}

bool try_readonly_reexec(int argc, char** argv) noexcept {
    if (!runs_container_code(argc, argv)) {
        return true;
    }
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0) {
        return false;
    }
    if (is_write_protected(exe)) {
        close(exe);
        return true;
    }
    int tree = clone_binding(exe);
    close(exe);
    if (tree < 0) {
        return false;
    }
    if (make_binding_readonly(tree)) {
        fexecve(tree, argv, environ);
    }
    close(tree);
    return false;
}

}  // namespace ocirun::security
