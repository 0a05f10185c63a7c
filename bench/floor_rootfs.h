// The floor's root filesystem: runc's default mounts, devices, masked and read-only paths.
#pragma once

#include <string>
#include <vector>

#include "floor_cgroup.h"

namespace ocirun::bench {

// Sets up `rootfs` in the calling process's new mount namespace with the mounts of runc 1.1's
// `spec` config (hard-coded, not read from config.json), makes the default devices, pivots into
// it, masks and write-protects runc's default paths and makes the root read-only.
void prepare_rootfs(const std::string& rootfs, const std::vector<Hierarchy>& hierarchies);

}  // namespace ocirun::bench
