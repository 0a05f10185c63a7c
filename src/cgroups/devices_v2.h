// Device rules on cgroup v2: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the
// container's cgroup, since cgroup v2 has no devices.allow file.
#pragma once

#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::cgroups::v2 {

// Loads a program built from `rules` and attaches it to `directory`, then detaches the device
// programs attached there before (an update replaces the rules). The last rule that matches an
// access decides it, and an access that no rule matches is denied.
void set_devices(const std::string& directory, const std::vector<spec::DeviceCgroupRule>& rules);

}  // namespace ocirun::cgroups::v2
