// Names of the systemd driver's transient scope, derived from a "slice:prefix:name" cgroupsPath
// as runc 1.1.5 derives them.
#pragma once

#include <string>

#include "cgroups/cgroups.h"

namespace ocirun::cgroups {

struct SystemdUnit {
    std::string slice;  // the parent slice, e.g. "machine.slice"
    std::string name;   // the scope, e.g. "libpod-abc.scope"
    std::string
        cgroup;  // its cgroup below the hierarchy root, e.g. "/machine.slice/libpod-abc.scope"
};

// Returns the cgroup of a slice unit: "a-b.slice" -> "/a.slice/a-b.slice", "-.slice" -> "/".
// Throws Error (invalid_spec) for a name that is not a valid slice.
std::string expand_slice(const std::string& slice);

// Returns the scope for the request's cgroupsPath "slice:prefix:name" (unit "prefix-name.scope"
// in slice, "system.slice" when the slice is empty). An empty cgroupsPath means
// "system.slice:ocirun:ID". With a user's manager (uses_user_manager()) the default slice is
// "user.slice", and `cgroup` is relative to the manager's root cgroup (manager_cgroup()).
// Throws Error (invalid_spec) for any other form.
SystemdUnit systemd_unit(const CgroupRequest& request);

}  // namespace ocirun::cgroups
