// Writing one tar entry into the rootfs, and the whiteout operations; used by apply_layer.
#pragma once

#include <sys/stat.h>

#include <set>
#include <string>
#include <vector>

#include "rootfs/fd.h"

struct archive;
struct archive_entry;

namespace ocirun::image {

// Splits an entry's path into components with `.`, empty parts and `/` dropped and `..`
// applied lexically, never above the root. "/a/../../b/./c" gives {"b", "c"}.
std::vector<std::string> confined_components(const std::string& path);

// Joins components with `/`; "" for the root.
std::string join_components(const std::vector<std::string>& parts, std::size_t count);

// A directory whose mtime is set once its layer is done, since entries created in it later
// would change it.
struct DeferredTime {
    std::string path;
    timespec mtime;
};

// Extracts the current entry of `reader` to `parts` below `root_fd`. Directories are appended
// to `deferred` instead of getting their mtime.
void write_entry(int root_fd, archive* reader, archive_entry* entry,
                 const std::vector<std::string>& parts, std::vector<DeferredTime>& deferred);

// Removes `name` in the directory `dir_fd` and, for a directory, all below it, following no
// symlink. A missing name is not an error.
void remove_tree(int dir_fd, const std::string& name);

// Removes everything below the directory `path` that is not in `kept` (paths written by the
// current layer), descending into kept directories.
void make_opaque(int root_fd, const std::string& path, const std::set<std::string>& kept);

// Opens the directory `path` below the root for *at calls, creating missing directories with
// mode 0755 as tar does for entries whose parents the layer omits.
rootfs::Fd open_parent(int root_fd, const std::string& path);

}  // namespace ocirun::image
