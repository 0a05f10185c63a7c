// Starting and stopping transient units through systemd's D-Bus API (sd-bus).
#pragma once

#include <string>
#include <vector>

#include "cgroups/systemd_properties.h"

namespace ocirun::cgroups {

// True when systemd is the init system (it creates /run/systemd/system at boot).
bool systemd_running();

// Starts the transient unit `name` with `properties` and waits for systemd's job to finish.
// Returns false when the unit exists already. Throws Error when systemd rejects the unit, the
// unit fails to start, or the job does not finish within a timeout.
bool start_transient_unit(const std::string& name, const std::vector<UnitProperty>& properties);

// Stops the unit `name` and waits for the job, when the unit is loaded and its control group is
// `cgroup` (relative to the hierarchy root). A missing unit, or one with another cgroup, is left
// alone.
void stop_unit_owning(const std::string& name, const std::string& cgroup);

}  // namespace ocirun::cgroups
