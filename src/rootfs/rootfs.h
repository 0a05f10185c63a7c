// The container's root filesystem: mounts, /dev, masked and read-only paths, and the switch
// to the new root. Runs in the container's init process, inside its new mount namespace.
#pragma once

#include <map>
#include <string>

#include "spec/spec.h"

namespace ocirun::rootfs {

struct RootfsOptions {
    std::string rootfs;  // absolute host path of the root filesystem (root.path resolved)
    bool no_pivot = false;
    // The container's cgroup directory relative to each hierarchy's root, by controller name
    // ("" for a unified v2 hierarchy), for the `cgroup` mount type.
    std::map<std::string, std::string> cgroup_paths;
};

// Sets up everything under the rootfs while the host's tree is still reachable: rootfs
// propagation, the rootfs bind mount, `mounts` in order, /dev (default devices, linux.devices,
// links, /dev/pts/ptmx). createContainer hooks run after this and before enter_rootfs.
void prepare_rootfs(const spec::Spec& spec, const RootfsOptions& options);

// Switches to the new root (pivot_root, or MS_MOVE and chroot with no_pivot) and applies
// linux.rootfsPropagation to it.
void enter_rootfs(const spec::Spec& spec, const RootfsOptions& options);

// Makes a /dev mount with "ro" read-only, applies readonlyPaths and maskedPaths, and makes the
// root read-only when root.readonly is set. Runs after the console is set up, because
// /dev/console is created then, as in runc's finalizeRootfs.
void finish_rootfs(const spec::Spec& spec);

}  // namespace ocirun::rootfs
