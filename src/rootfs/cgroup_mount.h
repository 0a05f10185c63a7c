// The `cgroup` mount type: the container's own cgroups shown at the destination.
#pragma once

#include <string>
#include <vector>

#include "rootfs/mount_options.h"
#include "rootfs/mounts.h"

namespace ocirun::rootfs {

// One mounted v1 hierarchy or the cgroup2 hierarchy of this host.
struct CgroupHierarchy {
    std::string mount_point;  // e.g. "/sys/fs/cgroup/cpu,cpuacct"
    std::string root;         // the cgroup shown at the mount point, "/" outside a cgroupns
    std::vector<std::string> controllers;  // super options naming controllers ("name=systemd")
    bool unified = false;
};

// Returns the cgroup and cgroup2 mounts listed in /proc/self/mountinfo text.
std::vector<CgroupHierarchy> parse_cgroup_mounts(const std::string& mountinfo);

// Returns the cgroup and cgroup2 mounts among `mounts`.
std::vector<CgroupHierarchy> cgroup_hierarchies(const std::vector<MountInfo>& mounts);

// Mounts the container's cgroups at the mount's destination. On a v1 or hybrid host: a tmpfs
// with one directory per hierarchy named like the host's (a bind of the container's cgroup,
// or with a cgroup namespace a new cgroup mount), symlinks for combined hierarchies
// ("cpu" -> "cpu,cpuacct"), and the tmpfs made read-only when `options` have ro. On a
// unified host: a cgroup2 mount, or a bind of the container's cgroup when that is not allowed.
void mount_cgroup(const MountContext& context, const spec::Mount& mount,
                  const MountOptions& options);

}  // namespace ocirun::rootfs
