#include "container/intel_rdt.h"

#include <sys/vfs.h>

#include "base/error.h"

namespace ocirun::container {

namespace {

// RDTGROUP_SUPER_MAGIC from the kernel's include/uapi/linux/magic.h.
constexpr long kResctrlMagic = 0x7655821;

bool resctrl_mounted() {
    struct statfs fs {};
    return ::statfs("/sys/fs/resctrl", &fs) == 0 && fs.f_type == kResctrlMagic;
}

}  // namespace

void check_intel_rdt(const spec::Linux& linux_config) {
    if (!linux_config.intel_rdt) {
        return;
    }
    if (!resctrl_mounted()) {
        throw_error("linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl",
                    ErrorKind::unsupported);
    }
    // NOTE: writing schemata and tasks has never run on a host with resctrl, so
    // the request fails instead of being applied untested.
    throw_error("linux.intelRdt: applying intelRdt is not supported yet", ErrorKind::unsupported);
}

}  // namespace ocirun::container
