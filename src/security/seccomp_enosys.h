// A BPF prologue that makes syscalls newer than a seccomp profile fail with ENOSYS.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "spec/spec.h"

namespace ocirun::security {

// Returns instructions to run before a libseccomp filter. For each architecture token (libseccomp
// SCMP_ARCH_* values) they return ENOSYS for a syscall number above the highest one the profile
// names, and otherwise continue into the filter. A syscall newer than the profile then fails
// with ENOSYS, so libc falls back to an older one (such as clone for clone3) instead of failing
// with the default action's errno. Returns nothing when the profile names no known syscall.
std::vector<struct sock_filter> build_enosys_prologue(const std::vector<uint32_t>& architectures,
                                                      const spec::Seccomp& seccomp);

}  // namespace ocirun::security
