// linux.intelRdt: Intel Resource Director Technology through the resctrl filesystem.
#pragma once

#include "spec/spec.h"

namespace ocirun::container {

// Throws when the config requests intelRdt: naming resctrl when it is not mounted at
// /sys/fs/resctrl, and as unsupported otherwise, so the request is never ignored silently.
void check_intel_rdt(const spec::Linux& linux_config);

}  // namespace ocirun::container
