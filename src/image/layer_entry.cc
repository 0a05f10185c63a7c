// Creating files, directories, links and nodes from tar entries relative to a parent dirfd,
// so that the final component is never followed and parents stay inside the rootfs.
#include "image/layer_entry.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "rootfs/safe_path.h"

namespace ocirun::image {
namespace {

struct EntryContext {
    int parent_fd;
    std::string name;  // final component
    std::string path;  // relative to the root, for messages
};

[[noreturn]] void fail(const EntryContext& where, const std::string& action) {
    throw_errno(action + " " + quote("/" + where.path));
}

struct stat stat_if_exists(int dir_fd, const std::string& name, bool& exists) {
    struct stat info {};
    exists = ::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) {
        throw_errno("stat " + quote(name));
    }
    return info;
}

// Clears the way for a new entry: an existing directory stays when the entry is one too.
// Returns true when a directory is kept.
bool prepare_target(const EntryContext& where, bool entry_is_directory) {
    bool exists = false;
    struct stat info = stat_if_exists(where.parent_fd, where.name, exists);
    if (!exists) {
        return false;
    }
    if (S_ISDIR(info.st_mode) && entry_is_directory) {
        return true;
    }
    remove_tree(where.parent_fd, where.name);
    return false;
}

std::string proc_path(const EntryContext& where) {
    return "/proc/self/fd/" + std::to_string(where.parent_fd) + "/" + where.name;
}

// Sets the entry's xattrs on the open `fd`, or by path through the parent's fd when `fd` is
// -1 (symlinks and device nodes, which cannot be opened for fsetxattr).
void set_xattrs(const EntryContext& where, archive_entry* entry, int fd) {
    archive_entry_xattr_reset(entry);
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
        int result = fd >= 0 ? ::fsetxattr(fd, name, value, size, 0)
                             : ::lsetxattr(proc_path(where).c_str(), name, value, size, 0);
        if (result != 0) {
            fail(where, std::string("set xattr ") + quote(name) + " on");
        }
    }
}

timespec entry_mtime(archive_entry* entry) {
    return timespec{archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
}

void set_times_at(const EntryContext& where, archive_entry* entry) {
    timespec times[2] = {entry_mtime(entry), entry_mtime(entry)};
    if (archive_entry_atime_is_set(entry)) {
        times[0] = timespec{archive_entry_atime(entry), archive_entry_atime_nsec(entry)};
    }
    if (::utimensat(where.parent_fd, where.name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
        fail(where, "set the times of");
    }
}

uid_t entry_uid(archive_entry* entry) {
    return static_cast<uid_t>(archive_entry_uid(entry));
}

gid_t entry_gid(archive_entry* entry) {
    return static_cast<gid_t>(archive_entry_gid(entry));
}

mode_t entry_permissions(archive_entry* entry) {
    return archive_entry_perm(entry) & 07777;
}

// Owner before mode, because chown clears the set-user-ID and set-group-ID bits.
// NOTE: without CAP_CHOWN (an ordinary user, as with --rootless) the first entry owned by
// another user fails the unpack, because nothing maps layer owners into a user namespace yet.
void set_owner_and_mode(const EntryContext& where, archive_entry* entry, int fd) {
    if (::fchown(fd, entry_uid(entry), entry_gid(entry)) != 0) {
        fail(where, "chown");
    }
    if (::fchmod(fd, entry_permissions(entry)) != 0) {
        fail(where, "chmod");
    }
}

void copy_file_data(const EntryContext& where, archive* reader, archive_entry* entry, int fd) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
        int status = archive_read_data_block(reader, &block, &size, &offset);
        if (status == ARCHIVE_EOF) {
            break;
        }
        if (status < ARCHIVE_WARN) {
            throw_error("read " + quote("/" + where.path) + ": " + archive_error_string(reader));
        }
        const char* data = static_cast<const char*>(block);
        while (size > 0) {
            ssize_t written = ::pwrite(fd, data, size, offset);
            if (written < 0 && errno == EINTR) {
                continue;
            }
            if (written < 0) {
                fail(where, "write");
            }
            data += written;
            size -= static_cast<size_t>(written);
            offset += written;
        }
    }
    // A sparse file may end in a hole that no block covers.
    if (archive_entry_size_is_set(entry) && ::ftruncate(fd, archive_entry_size(entry)) != 0) {
        fail(where, "truncate");
    }
}

void write_regular(const EntryContext& where, archive* reader, archive_entry* entry) {
    prepare_target(where, false);
    int raw = ::openat(where.parent_fd, where.name.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw < 0) {
        fail(where, "create");
    }
    rootfs::Fd fd(raw);
    copy_file_data(where, reader, entry, fd.get());
    set_owner_and_mode(where, entry, fd.get());
    set_xattrs(where, entry, fd.get());
    timespec times[2] = {entry_mtime(entry), entry_mtime(entry)};
    if (::futimens(fd.get(), times) != 0) {
        fail(where, "set the times of");
    }
}

void write_directory(const EntryContext& where, archive_entry* entry,
                     std::vector<DeferredTime>& deferred) {
    if (!prepare_target(where, true) && ::mkdirat(where.parent_fd, where.name.c_str(), 0700) != 0) {
        fail(where, "create directory");
    }
    int raw = ::openat(where.parent_fd, where.name.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0) {
        fail(where, "open directory");
    }
    rootfs::Fd fd(raw);
    set_owner_and_mode(where, entry, fd.get());
    set_xattrs(where, entry, fd.get());
    deferred.push_back(DeferredTime{where.path, entry_mtime(entry)});
}

void write_symlink(const EntryContext& where, archive_entry* entry) {
    const char* target = archive_entry_symlink(entry);
    if (target == nullptr) {
        throw_error("symlink " + quote("/" + where.path) + " has no target");
    }
    prepare_target(where, false);
    if (::symlinkat(target, where.parent_fd, where.name.c_str()) != 0) {
        fail(where, "create symlink");
    }
    if (::fchownat(where.parent_fd, where.name.c_str(), entry_uid(entry), entry_gid(entry),
                   AT_SYMLINK_NOFOLLOW) != 0) {
        fail(where, "chown");
    }
    set_xattrs(where, entry, -1);
    set_times_at(where, entry);
}

void write_node(const EntryContext& where, archive_entry* entry) {
    prepare_target(where, false);
    mode_t type = static_cast<mode_t>(archive_entry_filetype(entry));
    dev_t device = makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry));
    if (::mknodat(where.parent_fd, where.name.c_str(), type | entry_permissions(entry),
                  type == S_IFIFO ? 0 : device) != 0) {
        fail(where, "create node");
    }
    if (::fchownat(where.parent_fd, where.name.c_str(), entry_uid(entry), entry_gid(entry),
                   AT_SYMLINK_NOFOLLOW) != 0) {
        fail(where, "chown");
    }
    // mknod applied the umask, and the caller's umask is not zero for certain.
    if (::fchmodat(where.parent_fd, where.name.c_str(), entry_permissions(entry), 0) != 0) {
        fail(where, "chmod");
    }
    set_xattrs(where, entry, -1);
    set_times_at(where, entry);
}

// The link target is resolved inside the root too, and linkat without AT_SYMLINK_FOLLOW links
// a symlink itself, so a hard link can only name a file of the rootfs.
void write_hardlink(int root_fd, const EntryContext& where, archive_entry* entry) {
    std::vector<std::string> target = confined_components(archive_entry_hardlink(entry));
    if (target.empty()) {
        throw_error("hard link " + quote("/" + where.path) + " points at the root directory");
    }
    std::string target_path = join_components(target, target.size());
    if (target_path == where.path) {
        return;
    }
    rootfs::Fd target_parent = rootfs::open_in_root(
        root_fd, join_components(target, target.size() - 1), O_PATH | O_DIRECTORY);
    prepare_target(where, false);
    if (::linkat(target_parent.get(), target.back().c_str(), where.parent_fd, where.name.c_str(),
                 0) != 0) {
        throw_errno("hard link " + quote("/" + where.path) + " to " + quote("/" + target_path));
    }
}

}  // namespace

std::vector<std::string> confined_components(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) {
            end = path.size();
        }
        std::string part = path.substr(start, end - start);
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
        } else if (!part.empty() && part != ".") {
            parts.push_back(std::move(part));
        }
        start = end + 1;
    }
    return parts;
}

std::string join_components(const std::vector<std::string>& parts, std::size_t count) {
    std::string path;
    for (std::size_t i = 0; i < count; ++i) {
        path += (i == 0 ? "" : "/") + parts[i];
    }
    return path;
}

rootfs::Fd open_parent(int root_fd, const std::string& path) {
    rootfs::Fd fd = rootfs::open_in_root_if_exists(root_fd, path, O_PATH | O_DIRECTORY);
    if (fd.valid()) {
        return fd;
    }
    return rootfs::make_path_in_root(root_fd, "/" + path, rootfs::NodeKind::directory);
}

void write_entry(int root_fd, archive* reader, archive_entry* entry,
                 const std::vector<std::string>& parts, std::vector<DeferredTime>& deferred) {
    std::string parent_path = join_components(parts, parts.size() - 1);
    rootfs::Fd parent = open_parent(root_fd, parent_path);
    EntryContext where{parent.get(), parts.back(), join_components(parts, parts.size())};
    if (archive_entry_hardlink(entry) != nullptr) {
        write_hardlink(root_fd, where, entry);
        return;
    }
    switch (archive_entry_filetype(entry)) {
        case AE_IFREG:
            write_regular(where, reader, entry);
            break;
        case AE_IFDIR:
            write_directory(where, entry, deferred);
            break;
        case AE_IFLNK:
            write_symlink(where, entry);
            break;
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
            write_node(where, entry);
            break;
        default:
            throw_error("entry " + quote("/" + where.path) + ": unsupported file type " +
                        std::to_string(archive_entry_filetype(entry)));
    }
}

void remove_tree(int dir_fd, const std::string& name) {
    bool exists = false;
    struct stat info = stat_if_exists(dir_fd, name, exists);
    if (!exists) {
        return;
    }
    if (S_ISDIR(info.st_mode)) {
        int raw = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (raw < 0) {
            throw_errno("open " + quote(name));
        }
        DIR* dir = ::fdopendir(raw);
        if (dir == nullptr) {
            ::close(raw);
            throw_errno("read directory " + quote(name));
        }
        std::vector<std::string> children;
        while (dirent* child = ::readdir(dir)) {
            std::string child_name = child->d_name;
            if (child_name != "." && child_name != "..") {
                children.push_back(std::move(child_name));
            }
        }
        try {
            for (const std::string& child : children) {
                remove_tree(::dirfd(dir), child);
            }
        } catch (...) {
            ::closedir(dir);
            throw;
        }
        ::closedir(dir);
    }
    if (::unlinkat(dir_fd, name.c_str(), S_ISDIR(info.st_mode) ? AT_REMOVEDIR : 0) != 0 &&
        errno != ENOENT) {
        throw_errno("remove " + quote(name));
    }
}

void make_opaque(int root_fd, const std::string& path, const std::set<std::string>& kept) {
    rootfs::Fd dir_fd = rootfs::open_in_root_if_exists(root_fd, path, O_RDONLY | O_DIRECTORY);
    if (!dir_fd.valid()) {
        return;
    }
    DIR* dir = ::fdopendir(::dup(dir_fd.get()));
    if (dir == nullptr) {
        throw_errno("read directory " + quote("/" + path));
    }
    std::vector<std::string> children;
    while (dirent* child = ::readdir(dir)) {
        std::string child_name = child->d_name;
        if (child_name != "." && child_name != "..") {
            children.push_back(std::move(child_name));
        }
    }
    ::closedir(dir);
    for (const std::string& child : children) {
        std::string child_path = path.empty() ? child : path + "/" + child;
        if (kept.count(child_path) == 0) {
            remove_tree(dir_fd.get(), child);
            continue;
        }
        bool exists = false;
        struct stat info = stat_if_exists(dir_fd.get(), child, exists);
        if (exists && S_ISDIR(info.st_mode)) {
            make_opaque(root_fd, child_path, kept);
        }
    }
}

}  // namespace ocirun::image
