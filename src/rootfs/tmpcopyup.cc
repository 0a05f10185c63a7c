// A tmpfs filled with a copy of the directory it is mounted over.
#include "rootfs/tmpcopyup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <memory>

#include "base/error.h"
#include "base/text.h"
#include "rootfs/mountinfo.h"

namespace ocirun::rootfs {
namespace {

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

Fd open_at(int dir_fd, const char* name, int flags) {
    Fd fd(::openat(dir_fd, name, flags | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) {
        throw_errno("open " + quote(name));
    }
    return fd;
}

void configure_tmpfs(int context_fd, const std::string& data) {
    for (const std::string& option : split(data, ',')) {
        if (option.empty()) {
            continue;
        }
        size_t equals = option.find('=');
        int result = 0;
        if (equals == std::string::npos) {
            result = ::fsconfig(context_fd, FSCONFIG_SET_FLAG, option.c_str(), nullptr, 0);
        } else {
            std::string key = option.substr(0, equals);
            std::string value = option.substr(equals + 1);
            result = ::fsconfig(context_fd, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
        }
        if (result != 0) {
            throw_errno("tmpfs option " + quote(option));
        }
    }
}

void copy_file_content(int source_fd, int target_fd, const std::string& name) {
    char buffer[65536];
    for (;;) {
        ssize_t length = ::read(source_fd, buffer, sizeof(buffer));
        if (length < 0) {
            throw_errno("read " + quote(name));
        }
        if (length == 0) {
            return;
        }
        for (ssize_t written = 0; written < length;) {
            ssize_t result =
                ::write(target_fd, buffer + written, static_cast<size_t>(length - written));
            if (result < 0) {
                throw_errno("write " + quote(name));
            }
            written += result;
        }
    }
}

void copy_tree(int source_dir, int target_dir);

void copy_entry(int source_dir, int target_dir, const char* name, const struct stat& status) {
    mode_t permissions = status.st_mode & 07777;
    if (S_ISDIR(status.st_mode)) {
        if (::mkdirat(target_dir, name, 0700) != 0) {
            throw_errno("mkdir " + quote(name));
        }
        Fd source = open_at(source_dir, name, O_RDONLY | O_DIRECTORY);
        Fd target = open_at(target_dir, name, O_RDONLY | O_DIRECTORY);
        copy_tree(source.get(), target.get());
    } else if (S_ISREG(status.st_mode)) {
        Fd source = open_at(source_dir, name, O_RDONLY);
        Fd target(::openat(target_dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600));
        if (!target.valid()) {
            throw_errno("create " + quote(name));
        }
        copy_file_content(source.get(), target.get(), name);
    } else if (S_ISLNK(status.st_mode)) {
        char target[PATH_MAX];
        ssize_t length = ::readlinkat(source_dir, name, target, sizeof(target) - 1);
        if (length < 0) {
            throw_errno("readlink " + quote(name));
        }
        target[length] = '\0';
        if (::symlinkat(target, target_dir, name) != 0) {
            throw_errno("symlink " + quote(name));
        }
    } else if (::mknodat(target_dir, name, status.st_mode, status.st_rdev) != 0) {
        throw_errno("mknod " + quote(name));
    }
    if (::fchownat(target_dir, name, status.st_uid, status.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
        throw_errno("chown " + quote(name));
    }
    // chown clears the set-id bits, so the mode is set after it; symlinks have no mode.
    if (!S_ISLNK(status.st_mode) && ::fchmodat(target_dir, name, permissions, 0) != 0) {
        throw_errno("chmod " + quote(name));
    }
    const struct timespec times[2] = {status.st_atim, status.st_mtim};
    if (::utimensat(target_dir, name, times, AT_SYMLINK_NOFOLLOW) != 0) {
        throw_errno("set the times of " + quote(name));
    }
}

void copy_tree(int source_dir, int target_dir) {
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(::dup(source_dir)));
    if (!dir) {
        throw_errno("read a directory to copy");
    }
    while (struct dirent* entry = ::readdir(dir.get())) {
        std::string name = entry->d_name;
        if (name == "." || name == "..") {
            continue;
        }
        struct stat status {};
        if (::fstatat(source_dir, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
            throw_errno("stat " + quote(name));
        }
        copy_entry(source_dir, target_dir, entry->d_name, status);
    }
}

}  // namespace

Fd make_tmpfs_copy(int directory_fd, const std::string& source, const MountOptions& options,
                   const std::string& path) {
    Fd context(::fsopen("tmpfs", FSOPEN_CLOEXEC));
    if (!context.valid()) {
        throw_errno("fsopen tmpfs");
    }
    if (::fsconfig(context.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0) {
        throw_errno("set the tmpfs source " + quote(source));
    }
    configure_tmpfs(context.get(), options.data);
    if (::fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
        throw_errno("create a tmpfs for " + quote(path));
    }
    Fd mount(::fsmount(context.get(), FSMOUNT_CLOEXEC, 0));
    if (!mount.valid()) {
        throw_errno("fsmount tmpfs for " + quote(path));
    }

    Fd directory(::openat(directory_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!directory.valid()) {
        throw_errno("open " + quote(path));
    }
    Fd target(::openat(mount.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!target.valid()) {
        throw_errno("open the new tmpfs for " + quote(path));
    }
    try {
        copy_tree(directory.get(), target.get());
    } catch (const Error& error) {
        throw error.with_context("copy " + quote(path) + " into its tmpfs");
    }

    // The flags come last so a read-only tmpfs can still be filled.
    MountAttributes attributes = bind_attributes(options);
    if (attributes.set != 0 || attributes.clear != 0) {
        mount_attr values{};
        values.attr_set = attributes.set;
        values.attr_clr = attributes.clear;
        if (::mount_setattr(mount.get(), "", AT_EMPTY_PATH, &values, sizeof(values)) != 0) {
            throw_errno("set the mount options of the tmpfs for " + quote(path));
        }
    }
    return mount;
}

}  // namespace ocirun::rootfs
