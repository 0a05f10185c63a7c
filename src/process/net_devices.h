// linux.netDevices: moving host network interfaces into the container's network namespace.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "spec/spec.h"

namespace ocirun::process {

// Moves each host interface (the map key) into the network namespace of `pid`, renaming it to
// its `name` when one is given, with one RTM_NEWLINK request per interface.
void move_net_devices(const std::map<std::string, spec::NetDevice>& devices, pid_t pid);

}  // namespace ocirun::process
