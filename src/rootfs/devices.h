// /dev inside the container: device nodes and the standard links.
#pragma once

#include <vector>

#include "spec/spec.h"

namespace ocirun::rootfs {

// Returns the devices every container gets, as in runc: null, zero, full, random, urandom and
// tty, each mode 0666 owned by root, minus those that `configured` (linux.devices) lists by path.
std::vector<spec::Device> default_devices(const std::vector<spec::Device>& configured);

// Creates each device in the root with mknod under umask 0 and chowns it to uid:gid. When
// `bind` is set (in a user namespace), or mknod fails with EPERM, the host's node of the same
// path is bind-mounted onto an empty file instead. An existing node is left as it is.
void create_devices(int root_fd, const std::vector<spec::Device>& devices, bool bind);

// Makes /dev/ptmx a link to pts/ptmx, and /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr links
// into /proc/self/fd, plus /dev/core -> /proc/kcore when the host has /proc/kcore.
void create_dev_links(int root_fd);

}  // namespace ocirun::rootfs
