// `update`: merging new linux.resources values into a container's current ones and writing the
// result to its cgroup.
#pragma once

#include "cgroups/cgroups.h"
#include "spec/spec.h"

namespace ocirun::cgroups {

// Returns `current` with the values of `change` merged in, as runc's `update` merges them.
// The cgroup writers treat some numeric fields as unset when zero: memory limit, reservation
// and swap, cpu shares, quota, period and realtime values, pids limit and blkio weights. Such a
// field replaces the current value only when it is non-zero, and so do non-empty cpus and mems.
// swappiness,
// disableOOMKiller, checkBeforeUpdate, cpu burst and idle replace it whenever present. Device
// lists are merged by major:minor, hugepage limits by page size, interface priorities by name,
// rdma limits by device and unified files by name. A memory limit of -1 without a swap value
// makes swap -1 as well. devices, memory.kernel and memory.kernelTCP are not merged: runc's
// update ignores them.
spec::Resources merge_resources(const spec::Resources& current, const spec::Resources& change);

// Writes `resources` (the merged values) to a running container's cgroup: every part except
// devices, which runc's update leaves alone too. With memory.checkBeforeUpdate on cgroup v2,
// first throws Error (invalid_spec) when the memory limit or memory+swap limit is not above
// memory.current.
void update_resources(const CgroupPaths& paths, const spec::Resources& resources);

// Applies linux.resources as apply_resources does, except devices.
void apply_resources_except_devices(const CgroupPaths& paths, const spec::Resources& resources);

}  // namespace ocirun::cgroups
