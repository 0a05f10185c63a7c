// linux.seccomp compiled with libseccomp and loaded into the container process.
#pragma once

#include "spec/spec.h"

namespace ocirun::security {

// Loads the filter into the calling process. Returns the notify fd when the profile uses
// SCMP_ACT_NOTIFY, or -1.
int load_seccomp(const spec::Seccomp& seccomp);

}  // namespace ocirun::security
