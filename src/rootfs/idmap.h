// User namespaces made only to carry an id mapping, for idmapped mounts.
#pragma once

#include <vector>

#include "rootfs/fd.h"
#include "spec/spec.h"

namespace ocirun::rootfs {

// Returns an fd of a new user namespace whose uid_map and gid_map are the given mappings
// (each line "containerID hostID size"). A short-lived child process owns the namespace
// while the maps are written; the fd keeps the namespace alive after it exits.
Fd make_mapped_user_namespace(const std::vector<spec::IdMapping>& uid_mappings,
                              const std::vector<spec::IdMapping>& gid_mappings);

}  // namespace ocirun::rootfs
