// linux.maskedPaths and linux.readonlyPaths, applied inside the new root.
#pragma once

#include <string>

namespace ocirun::rootfs {

// Hides `path`: a directory under an empty read-only tmpfs, anything else under a bind of
// /dev/null. A missing path is ignored.
void mask_path(int root_fd, const std::string& path);

// Makes `path` (with the mounts below it) a read-only bind of itself, keeping its nosuid,
// nodev and noexec. A missing path is ignored.
void make_path_read_only(int root_fd, const std::string& path);

// Makes the mount at the root of `mount_fd` read-only, keeping its other flags.
void remount_read_only(int mount_fd, const std::string& path);

}  // namespace ocirun::rootfs
