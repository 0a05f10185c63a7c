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
// a task can join the cpuset cgroup, and writes runc's default device rules (deny all, then
// allow the default devices).
void create_cgroup(const std::vector<Hierarchy>& hierarchies);

// Moves the calling process, which must be single-threaded, into every hierarchy by writing 0
// to each `tasks` file. This takes no global lock, unlike a write of a pid to cgroup.procs.
// ocirun's init joins the same way.
void join_cgroup(const std::vector<Hierarchy>& hierarchies);

// Removes the cgroup directories; the container must have exited.
void remove_cgroup(const std::vector<Hierarchy>& hierarchies);

}  // namespace ocirun::bench
