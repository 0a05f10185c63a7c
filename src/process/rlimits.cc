// Resource limits of the container process (process.rlimits).
#include <sys/resource.h>

#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {

void apply_rlimits(const std::vector<spec::Rlimit>& rlimits) {
    for (const spec::Rlimit& rlimit : rlimits) {
        // RLIM_INFINITY is the all-ones value, so the spec's uint64 values map directly.
        const struct rlimit limit = {static_cast<rlim_t>(rlimit.soft),
                                     static_cast<rlim_t>(rlimit.hard)};
        if (prlimit(0, static_cast<__rlimit_resource>(rlimit.resource), &limit, nullptr) != 0) {
            throw_errno("set rlimit " + rlimit.type + " (soft " + std::to_string(rlimit.soft) +
                        ", hard " + std::to_string(rlimit.hard) + ")");
        }
    }
}

}  // namespace ocirun::process
