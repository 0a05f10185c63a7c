// linux.seccomp compiled with libseccomp and loaded into the container process.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "security/seccomp_flags.h"
#include "spec/spec.h"

namespace ocirun::security {

// A filter compiled from linux.seccomp: BPF instructions and the seccomp(2) flags to load them
// with, NEW_LISTENER included when the profile uses SCMP_ACT_NOTIFY.
struct CompiledSeccomp {
    std::vector<struct sock_filter> program;
    unsigned flags = 0;
};

// Compiles the profile with libseccomp. It needs nothing from the container process, so the
// runtime may call it once before clone and leave only the load to the child. Throws an
// invalid_spec Error for an unknown action, operator, architecture or flag, and an unsupported
// Error for a flag that `accepts` (by default the running kernel) rejects.
CompiledSeccomp compile_seccomp(const spec::Seccomp& seccomp,
                                const SeccompFlagProbe& accepts = kernel_accepts_seccomp_flag);

// Loads a compiled filter into the calling process with seccomp(2). Returns the notify fd when
// the flags include NEW_LISTENER, or -1.
int load_compiled_seccomp(const CompiledSeccomp& compiled);

// Compiles and loads the filter into the calling process. Returns the notify fd when the profile
// uses SCMP_ACT_NOTIFY, or -1.
int load_seccomp(const spec::Seccomp& seccomp);

}  // namespace ocirun::security
