// linux.resources.unified keys as properties of the systemd driver's scope, as runc 1.1.5
// converts them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cgroups/systemd_properties.h"

namespace ocirun::cgroups {

// Returns the unit properties of the unified keys that systemd has a property for: cpu.weight,
// cpu.max, cpuset.cpus, cpuset.mems, memory.min, memory.low, memory.high, memory.max,
// memory.swap.max and pids.max. Other keys give no property, and the caller writes them to the
// cgroup files. Throws Error (invalid_spec) for a value of a converted key that is malformed.
std::vector<UnitProperty> unified_properties(const std::map<std::string, std::string>& unified);

}  // namespace ocirun::cgroups
