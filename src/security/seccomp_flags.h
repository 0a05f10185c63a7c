// A probe of the SECCOMP_FILTER_FLAG_* bits that the running kernel accepts, which loads no filter.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ocirun::security {

// Returns whether the kernel accepts one SECCOMP_FILTER_FLAG_* bit. The tests pass their own
// probe to reach the paths of an older kernel.
using SeccompFlagProbe = std::function<bool(unsigned flag)>;

// Returns whether seccomp(2) on the running kernel accepts `flag`. It passes a null filter, so
// nothing is installed on the calling process whatever the result.
bool kernel_accepts_seccomp_flag(unsigned flag);

// Checks each name of linux.seccomp.flags whose bit is set in `flags` (the bits the filter
// will be loaded with) against `accepts`. Throws an unsupported Error naming the first flag
// that the probe rejects.
void check_seccomp_flags_supported(const std::vector<std::string>& names, unsigned flags,
                                   const SeccompFlagProbe& accepts);

}  // namespace ocirun::security
