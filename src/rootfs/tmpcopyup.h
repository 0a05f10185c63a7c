// The "tmpcopyup" option: a new tmpfs that starts with a copy of the directory it covers.
#pragma once

#include <string>

#include "rootfs/fd.h"
#include "rootfs/mount_options.h"

namespace ocirun::rootfs {

// Creates a detached tmpfs with the data options of `options` (such as "mode=755,size=1m")
// and copies the tree below `directory_fd` into it, keeping modes, owners, symlinks, device
// nodes and timestamps. Then applies the mount flags of `options` and returns the mount's fd
// for move_mount. `source` is the name mountinfo shows; `path` names the directory in errors.
Fd make_tmpfs_copy(int directory_fd, const std::string& source, const MountOptions& options,
                   const std::string& path);

}  // namespace ocirun::rootfs
