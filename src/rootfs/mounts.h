// Mounting the entries of config.json `mounts` inside the rootfs, each onto an fd resolved
// with the rootfs as `/`.
#pragma once

#include <string>
#include <vector>

#include "rootfs/mount_options.h"
#include "rootfs/mountinfo.h"
#include "rootfs/rootfs.h"
#include "spec/spec.h"

namespace ocirun::rootfs {

struct MountContext {
    int root_fd = -1;  // O_PATH fd of the rootfs bind mount
    const spec::Spec* spec = nullptr;
    const RootfsOptions* options = nullptr;
    // The mounts of the new mount namespace before any of the container's, copies of the
    // host's.
    const std::vector<MountInfo>* host_mounts = nullptr;
};

// Mounts one `mounts` entry: bind and rbind, cgroup, and any filesystem type. Throws Error
// naming the destination.
void mount_entry(const MountContext& context, const spec::Mount& mount);

// Binds the host path `source` onto `destination` inside the root, creating the destination
// (a directory, or an empty file when the source is not a directory). `userns_fd` >= 0 makes
// an idmapped mount.
void bind_into_root(int root_fd, const std::string& source, const std::string& destination,
                    const MountOptions& options, int userns_fd = -1);

// Binds the host path `source` onto the node open at `target_fd` (O_PATH), which the caller
// resolved inside the root. `destination` names the node in errors.
void bind_onto(int target_fd, const std::string& source, const std::string& destination,
               const MountOptions& options, int userns_fd = -1);

// Mounts a new filesystem of `type` onto `destination` inside the root with mount(2) flags and
// data from `options`, then applies their recursive attributes and propagation.
void mount_into_root(int root_fd, const std::string& source, const std::string& type,
                     const std::string& destination, const MountOptions& options);

// Throws unless `destination` (resolved in the root) may receive a mount of `source`: onto
// /proc itself only a procfs may go, and below /proc only the files that lxcfs emulates. This
// keeps an image from hiding /proc entries that LSM profiles rely on (CVE-2019-16884).
void check_proc_destination(const std::string& resolved_destination, const std::string& source);

}  // namespace ocirun::rootfs
