// Rootless operation: deciding `--rootless`, the state root of an unprivileged caller, and the
// config checks runc 1.1.5 makes when the runtime runs with a non-zero effective uid.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/text.h"
#include "spec/spec.h"

namespace ocirun::process {

// Reads /proc/self/uid_map and applies is_user_namespace_map. False when the file is missing.
// The first result is kept for the life of the process, so it describes the runtime's user
// namespace even when called after the container process has made or joined another one.
bool running_in_user_namespace();

// Decides `--rootless` as runc 1.1.5 does: "true" and "false" are taken as given. "auto" is true
// when `euid` is not 0, also with --systemd-cgroup, whose scope then comes from the user's own
// systemd manager. For root in a user namespace it is true without --systemd-cgroup, and with it
// when `user_manager` is true, meaning the driver uses the manager of an ordinary user (runc reads
// the owner of the user's bus from busctl). For root outside one it is false. A rootless
// container uses a cgroup only where it can write one.
bool decide_rootless(const std::string& flag, bool systemd_cgroup, uid_t euid,
                     bool in_user_namespace, bool user_manager);

// True when the state root defaults to $XDG_RUNTIME_DIR/ocirun, as runc 1.1.5 decides it: for a
// non-zero `euid`, and for uid 0 in a user namespace unless $USER is "root". Rootless podman
// runs the runtime that way, as uid 0 in its user namespace with $USER unset.
bool honors_xdg_runtime_dir(uid_t euid, bool in_user_namespace, const char* user_variable);

// Returns the name of the first linux.resources entry that sets a limit ("memory", "pids",
// ...), ignoring `devices`; nullopt when none does. A rootless container without a writable
// cgroup can apply no such limit.
std::optional<std::string> first_resource_limit(const spec::Spec& spec);

// Checks what runc 1.1.5 requires of a config when the runtime runs with a non-zero effective
// uid: a new user namespace, at least one uid and one gid mapping, and uid=/gid= mount options
// that name mapped ids. Throws Error(invalid_spec) naming the field.
void validate_rootless_config(const spec::Spec& spec);

}  // namespace ocirun::process
