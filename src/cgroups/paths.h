// The container's cgroup directory in each hierarchy, resolved from linux.cgroupsPath as runc
// resolves it.
#pragma once

#include <map>
#include <string>

#include "cgroups/cgroups.h"
#include "cgroups/layout.h"

namespace ocirun::cgroups {

// Normalizes `path` lexically as if it were rooted, so that ".." cannot climb above the start,
// and keeps it relative when it was relative: "a/../../b" -> "b", "/a/./b/" -> "/a/b".
std::string clean_path(const std::string& path);

// Returns the container's directory in every hierarchy of `layout`. An absolute cgroupsPath is
// taken below each mount point, a relative one (and the default, the container id) below the
// runtime's own cgroup as /proc/self/cgroup lists it, or below its parent on a pure v2 host as
// runc 1.1.5 does. With request.systemd each path is the scope's cgroup, "/slice/unit.scope".
CgroupPaths resolve_paths(const Layout& layout, const CgroupRequest& request);

// Returns each path relative to the mount point of the hierarchy that contains it.
std::map<std::string, std::string> relative_paths_in(const Layout& layout,
                                                     const CgroupPaths& paths);

// Returns the distinct directories of `paths` (co-mounted controllers such as cpu,cpuacct share
// one), in key order.
std::vector<std::string> unique_directories(const CgroupPaths& paths);

}  // namespace ocirun::cgroups
