// `update` with the systemd driver: the scope's unit properties follow the new resources.
#pragma once

#include "cgroups/cgroups.h"
#include "spec/spec.h"

namespace ocirun::cgroups {

// Sets the resource properties of the systemd scope that owns the cgroup (MemoryMax, CPUWeight,
// TasksMax and the others of resource_properties) at runtime, so that systemd does not reset
// the cgroup files to older values later. Does nothing when the cgroup is not a scope's or there
// are no properties to set. Throws Error when systemd is not running or rejects a property.
void set_scope_resources(const CgroupPaths& paths, const spec::Resources& resources);

}  // namespace ocirun::cgroups
