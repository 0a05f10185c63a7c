// Switching the calling process's root to the container's rootfs.
#pragma once

#include <string>

namespace ocirun::rootfs {

// Makes `rootfs` the root with pivot_root(".", ".") and detaches the old root, first made
// rslave so the detach cannot propagate to the host. The working directory ends at `/`.
void pivot_to(const std::string& rootfs);

// For --no-pivot: detaches the host's procfs and sysfs mounts, then moves the rootfs mount
// onto `/` and chroots into it. The host's other mounts stay in the mount namespace, though
// not reachable from the new root.
void move_root_to(const std::string& rootfs);

}  // namespace ocirun::rootfs
