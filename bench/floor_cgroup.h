// The floor's cgroup: one directory per v1 hierarchy, joined by the container process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ocirun::bench {

// One v1 hierarchy: where it is mounted and the container's cgroup directory in it.
struct Hierarchy {
    std::string mount_point;  // e.g. /sys/fs/cgroup/memory
    std::string cgroup_dir;   // e.g. /sys/fs/cgroup/memory/user/ocirun-floor-42
};

// Returns every cgroup v1 hierarchy mounted below /sys/fs/cgroup, with `name` as a child of
// this process's own cgroup in each, as runc places a container that has no cgroupsPath.
std::vector<Hierarchy> find_hierarchies(const std::string& name);

// Makes the cgroup directories, copying cpuset.cpus and cpuset.mems from the parent so that
// a task can join the cpuset cgroup.
void create_cgroup(const std::vector<Hierarchy>& hierarchies);

// Moves `pid` into every hierarchy and writes runc's default device rules (deny all, then
// allow the default devices).
void join_cgroup(const std::vector<Hierarchy>& hierarchies, pid_t pid);

// Removes the cgroup directories; the container must have exited.
void remove_cgroup(const std::vector<Hierarchy>& hierarchies);

}  // namespace ocirun::bench
