// Path resolution inside the container's root filesystem with the rootfs as `/`, so that no
// symlink in an image can lead a mount, a device node or a link onto the host.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "rootfs/fd.h"

namespace ocirun::rootfs {

// Opens `path` below `root_fd` with openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: absolute
// symlinks and `..` stop at the root. `flags` are open(2) flags; O_CLOEXEC is always added.
// Throws Error (not_found for ENOENT) naming the path.
Fd open_in_root(int root_fd, const std::string& path, int flags);

// Like open_in_root but returns an invalid Fd when the path does not exist.
Fd open_in_root_if_exists(int root_fd, const std::string& path, int flags);

// Expands every symlink of `path` that exists below the root, as the kernel would with the
// root as `/`, and returns the normalized absolute path ("/" for the root itself). Components
// past the first missing one are kept as written, with `.` and `..` applied lexically.
std::string resolve_in_root(int root_fd, const std::string& path);

// A path resolve_in_root returned, with what its open of the path found, so that creating the
// path need not open it again.
struct ResolvedPath {
    std::string path;
    Fd node;               // O_PATH fd of `path` when it exists and contains no symlink
    bool missing = false;  // `path` contains no symlink up to its first missing component
};

// Resolves like resolve_in_root and keeps what its open of the path found.
ResolvedPath resolve_path_in_root(int root_fd, const std::string& path);

// Splits a normalized absolute path into its components.
std::vector<std::string> path_components(const std::string& path);

enum class NodeKind { directory, file };

// Creates the missing directories of `path` (mode 0755 whatever the umask) and, for
// NodeKind::file, an empty final file (mode 0755), each relative to its parent's fd with no
// symlink followed. Returns an O_PATH fd of the final node. Symlinks in `path` are first
// expanded inside the root by resolve_in_root.
Fd make_path_in_root(int root_fd, const std::string& path, NodeKind kind);

// Like make_path_in_root for a path that resolve_in_root returned, so its symlinks are not
// expanded a second time. A symlink found in it fails the call.
Fd make_resolved_path_in_root(int root_fd, const std::string& resolved, NodeKind kind);
Fd make_resolved_path_in_root(int root_fd, ResolvedPath resolved, NodeKind kind);

// Creates the directory `name` (mode 0755 whatever the umask) in the directory open at `dir_fd`
// unless it exists, and returns an O_PATH fd of it without following a symlink. `path` names it
// in errors.
Fd make_directory_at(int dir_fd, const std::string& name, const std::string& path);

// Returns an O_PATH fd of the parent directory of `path` (created as by make_path_in_root)
// and stores the final component in `name`, for calls that take a dirfd and a name
// (mknodat, symlinkat).
Fd make_parent_in_root(int root_fd, const std::string& path, std::string& name);

// Returns `path` made absolute and normalized, without looking at any file ("a/../b" is "/b").
std::string clean_path(const std::string& path);

}  // namespace ocirun::rootfs
