// Path resolution and creation inside the rootfs, relative to directory fds.
#include "rootfs/safe_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>

#include "base/error.h"

namespace ocirun::rootfs {
namespace {

// The kernel's own limit on symlinks followed in one lookup.
constexpr int kMaxSymlinks = 40;
// openat2 fails with EAGAIN when a rename raced with RESOLVE_IN_ROOT; the lookup is retried.
constexpr int kMaxOpenRetries = 32;

// Sets the umask to 0 so created modes are exact, and restores it on scope exit.
class UmaskZero {
  public:
    UmaskZero() : saved_(::umask(0)) {}
    UmaskZero(const UmaskZero&) = delete;
    UmaskZero& operator=(const UmaskZero&) = delete;
    ~UmaskZero() { ::umask(saved_); }

  private:
    mode_t saved_;
};

int openat2_with(int root_fd, const std::string& path, int flags, uint64_t resolve) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = resolve;
    std::string relative = path.empty() ? "." : path;
    for (int attempt = 0;; ++attempt) {
        long fd = syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof(how));
        if (fd >= 0 || errno != EAGAIN || attempt >= kMaxOpenRetries) {
            return static_cast<int>(fd);
        }
    }
}

int openat2_in_root(int root_fd, const std::string& path, int flags) {
    return openat2_with(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

// Opens `path` below the root with no symlink followed, the final component included. The
// kernel fails with ELOOP at the first symlink and with ENOENT at the first missing component.
// Either way one openat2 call replaces a walk of the path component by component.
int open_without_symlinks(int root_fd, const std::string& path, int flags) {
    return openat2_with(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
}

std::deque<std::string> split_raw(const std::string& path) {
    std::deque<std::string> parts;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) {
            end = path.size();
        }
        if (end > start) {
            parts.push_back(path.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

// True when a component is "." or "..", which the kernel resolves after symlinks but
// clean_path resolves lexically.
bool has_dot_component(const std::string& path) {
    for (const std::string& part : split_raw(path)) {
        if (part == "." || part == "..") {
            return true;
        }
    }
    return false;
}

std::string join_components(const std::vector<std::string>& components) {
    std::string path;
    for (const std::string& component : components) {
        path += '/';
        path += component;
    }
    return path.empty() ? "/" : path;
}

// Reads the symlink `name` in `dir_fd`; returns false when it is not a symlink or is missing.
bool read_symlink(int dir_fd, const std::string& name, std::string& target) {
    char buffer[PATH_MAX];
    ssize_t length = ::readlinkat(dir_fd, name.c_str(), buffer, sizeof(buffer));
    if (length < 0) {
        if (errno == EINVAL || errno == ENOENT || errno == ENOTDIR) {
            return false;
        }
        throw_errno("readlink " + quote(name));
    }
    target.assign(buffer, static_cast<size_t>(length));
    return true;
}

Fd open_child(int dir_fd, const std::string& name, int flags) {
    return Fd(::openat(dir_fd, name.c_str(), flags | O_PATH | O_NOFOLLOW | O_CLOEXEC));
}

Fd open_or_make_directory(int dir_fd, const std::string& name, const std::string& path,
                          bool missing) {
    Fd child;
    if (!missing) {
        child = open_child(dir_fd, name, O_DIRECTORY);
        if (child.valid()) {
            return child;
        }
        if (errno != ENOENT) {
            throw_errno("open " + quote(path));
        }
    }
    if (::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST) {
        throw_errno("mkdir " + quote(path));
    }
    child = open_child(dir_fd, name, O_DIRECTORY);
    if (!child.valid()) {
        throw_errno("open " + quote(path));
    }
    return child;
}

Fd open_or_make_file(int dir_fd, const std::string& name, const std::string& path) {
    Fd child = open_child(dir_fd, name, 0);
    if (!child.valid() && errno == ENOENT) {
        Fd created(::openat(dir_fd, name.c_str(),
                            O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0755));
        if (!created.valid() && errno != EEXIST) {
            throw_errno("create " + quote(path));
        }
        child = open_child(dir_fd, name, 0);
    }
    if (!child.valid()) {
        throw_errno("open " + quote(path));
    }
    struct stat status {};
    if (::fstat(child.get(), &status) == 0 && S_ISLNK(status.st_mode)) {
        throw_error("open " + quote(path) + ": a symlink appeared while the path was created");
    }
    return child;
}

}  // namespace

Fd open_in_root(int root_fd, const std::string& path, int flags) {
    int fd = openat2_in_root(root_fd, path, flags);
    if (fd < 0) {
        throw_errno("open " + quote(path) + " in the container's root");
    }
    return Fd(fd);
}

Fd open_in_root_if_exists(int root_fd, const std::string& path, int flags) {
    int fd = openat2_in_root(root_fd, path, flags);
    if (fd < 0 && errno != ENOENT) {
        throw_errno("open " + quote(path) + " in the container's root");
    }
    return Fd(fd);
}

std::vector<std::string> path_components(const std::string& path) {
    std::deque<std::string> parts = split_raw(path);
    return {parts.begin(), parts.end()};
}

std::string clean_path(const std::string& path) {
    std::vector<std::string> components;
    for (const std::string& part : split_raw(path)) {
        if (part == ".") {
            continue;
        }
        if (part == "..") {
            if (!components.empty()) {
                components.pop_back();
            }
            continue;
        }
        components.push_back(part);
    }
    return join_components(components);
}

namespace {

// Expands the symlinks of `path` one component at a time with readlinkat, for paths that
// contain a symlink, "." or ".." or that the kernel rejects, so errors and ".." after a
// symlink behave as documented for resolve_in_root.
std::string resolve_by_components(int root_fd, const std::string& path) {
    std::deque<std::string> pending = split_raw(path);
    std::vector<std::string> resolved;
    int symlinks = 0;
    while (!pending.empty()) {
        std::string part = std::move(pending.front());
        pending.pop_front();
        if (part == ".") {
            continue;
        }
        if (part == "..") {
            if (!resolved.empty()) {
                resolved.pop_back();
            }
            continue;
        }
        Fd parent =
            open_in_root_if_exists(root_fd, join_components(resolved), O_PATH | O_DIRECTORY);
        std::string target;
        if (!parent.valid() || !read_symlink(parent.get(), part, target)) {
            resolved.push_back(std::move(part));
            continue;
        }
        if (++symlinks > kMaxSymlinks) {
            throw_errno("resolve " + quote(path) + " in the container's root", ELOOP);
        }
        if (!target.empty() && target[0] == '/') {
            resolved.clear();
        }
        std::deque<std::string> target_parts = split_raw(target);
        pending.insert(pending.begin(), target_parts.begin(), target_parts.end());
    }
    return join_components(resolved);
}

// Creates components[first..] below `start` (the directory of components[0..first)) and
// returns an O_PATH fd of the final node. With `missing` set the components are known to be
// absent, so mkdirat comes before the open.
Fd make_components(Fd start, const std::vector<std::string>& components, size_t first,
                   NodeKind kind, bool missing) {
    UmaskZero umask_zero;
    std::string walked;
    for (size_t i = 0; i < first; ++i) {
        walked += "/" + components[i];
    }
    Fd current = std::move(start);
    for (size_t i = first; i < components.size(); ++i) {
        walked += "/" + components[i];
        bool last = i + 1 == components.size();
        if (last && kind == NodeKind::file) {
            current = open_or_make_file(current.get(), components[i], walked);
        } else {
            current = open_or_make_directory(current.get(), components[i], walked, missing);
        }
    }
    return current;
}

Fd open_root_directory(int root_fd) {
    Fd root(::openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) {
        throw_errno("open the container's root");
    }
    return root;
}

std::string join_prefix(const std::vector<std::string>& components, size_t count) {
    return join_components({components.begin(), components.begin() + static_cast<long>(count)});
}

}  // namespace

Fd make_directory_at(int dir_fd, const std::string& name, const std::string& path) {
    UmaskZero umask_zero;
    return open_or_make_directory(dir_fd, name, path, true);
}

ResolvedPath resolve_path_in_root(int root_fd, const std::string& path) {
    ResolvedPath result;
    if (!has_dot_component(path)) {
        // Success means that no component is a symlink. ENOENT means that none before the
        // first missing one is, and the components after it are kept as written.
        result.node = Fd(open_without_symlinks(root_fd, path, O_PATH));
        if (result.node.valid() || errno == ENOENT) {
            result.missing = !result.node.valid();
            result.path = clean_path(path);
            return result;
        }
    }
    result.path = resolve_by_components(root_fd, path);
    return result;
}

std::string resolve_in_root(int root_fd, const std::string& path) {
    return resolve_path_in_root(root_fd, path).path;
}

namespace {

// Creates what is missing of the resolved path, whose open without symlinks failed with `error`.
Fd make_missing_path_in_root(int root_fd, const std::string& resolved, NodeKind kind, int error) {
    std::vector<std::string> components = path_components(resolved);
    if (error != ENOENT || components.empty()) {
        // A symlink that appeared since the resolution, or a file where a directory belongs.
        // The walk below opens each component with O_NOFOLLOW and reports the error.
        return make_components(open_root_directory(root_fd), components, 0, kind, false);
    }
    // Finds the deepest existing directory, then creates the components below it.
    for (size_t count = components.size() - 1; count > 0; --count) {
        Fd parent(
            open_without_symlinks(root_fd, join_prefix(components, count), O_PATH | O_DIRECTORY));
        if (parent.valid()) {
            return make_components(std::move(parent), components, count, kind, true);
        }
        if (errno != ENOENT) {
            return make_components(open_root_directory(root_fd), components, 0, kind, false);
        }
    }
    return make_components(open_root_directory(root_fd), components, 0, kind, true);
}

}  // namespace

Fd make_resolved_path_in_root(int root_fd, const std::string& resolved, NodeKind kind) {
    int final_flags = kind == NodeKind::directory ? O_DIRECTORY : 0;
    Fd existing(open_without_symlinks(root_fd, resolved, O_PATH | final_flags));
    if (existing.valid()) {
        return existing;
    }
    return make_missing_path_in_root(root_fd, resolved, kind, errno);
}

Fd make_resolved_path_in_root(int root_fd, ResolvedPath resolved, NodeKind kind) {
    // The node that resolve_path_in_root opened serves, unless a directory is required and the
    // node is something else, which the open with O_DIRECTORY below reports.
    if (resolved.node.valid()) {
        struct stat status {};
        if (kind == NodeKind::file ||
            (::fstat(resolved.node.get(), &status) == 0 && S_ISDIR(status.st_mode))) {
            return std::move(resolved.node);
        }
    }
    if (resolved.missing) {
        return make_missing_path_in_root(root_fd, resolved.path, kind, ENOENT);
    }
    return make_resolved_path_in_root(root_fd, resolved.path, kind);
}

Fd make_path_in_root(int root_fd, const std::string& path, NodeKind kind) {
    return make_resolved_path_in_root(root_fd, resolve_path_in_root(root_fd, path), kind);
}

Fd make_parent_in_root(int root_fd, const std::string& path, std::string& name) {
    std::vector<std::string> components = path_components(clean_path(path));
    if (components.empty()) {
        throw_error("invalid path " + quote(path) + ": it names the container's root");
    }
    name = components.back();
    components.pop_back();
    return make_path_in_root(root_fd, join_components(components), NodeKind::directory);
}

}  // namespace ocirun::rootfs
