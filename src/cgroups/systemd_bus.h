// Starting and stopping transient units through systemd's D-Bus API (sd-bus).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/systemd_properties.h"

struct sd_bus;

namespace ocirun::cgroups {

struct SystemdBusCloser {
    void operator()(sd_bus* bus) const;
};
using SystemdBus = std::unique_ptr<sd_bus, SystemdBusCloser>;

// True when systemd is the init system (it creates /run/systemd/system at boot).
bool systemd_running();

// True for every caller other than root, and for root in a user namespace whose
// $XDG_RUNTIME_DIR leads to the manager of a user other than root (rootless podman). The driver
// then uses that user's own systemd manager (user@UID.service) instead of the system manager,
// as runc's rootless driver does.
bool uses_user_manager();

// Returns UID when `control_group`, a manager's ControlGroup property, ends in
// "user@UID.service"; nullopt for any other cgroup, such as the system manager's "".
std::optional<uid_t> manager_owner_uid(std::string_view control_group);

// Connects to the manager that uses_user_manager() selects. Throws Error when systemd is not
// running, libsystemd cannot be loaded, or the manager cannot be reached.
SystemdBus connect_systemd();

// Returns the cgroup of the manager's root below the hierarchy root: "" for the system manager,
// "/user.slice/user-1000.slice/user@1000.service" for the manager of uid 1000.
std::string manager_cgroup();

// Starts the transient unit `name` with `properties` and waits for systemd's job to finish.
// Returns false when the unit exists already. Throws Error when systemd rejects the unit, the
// unit fails to start, or the job does not finish within a timeout.
bool start_transient_unit(const std::string& name, const std::vector<UnitProperty>& properties);

// Stops the unit `name` and waits for the job, when the unit is loaded and its control group is
// `cgroup` (relative to the hierarchy root). A missing unit, or one with another cgroup, is left
// alone.
void stop_unit_owning(const std::string& name, const std::string& cgroup);

}  // namespace ocirun::cgroups
