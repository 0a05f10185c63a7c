// The five capability sets of the container process.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::security {

// Keeps permitted capabilities across the coming setuid (PR_SET_KEEPCAPS); call before
// process::apply_user.
void keep_capabilities_across_setuid();

// Applies bounding, inheritable, permitted, effective and ambient sets after the uid change.
// A name this kernel does not know, or one that cannot be granted here, is logged as a warning
// and skipped, as the runtime-spec says. Absent sets are emptied, as runc does.
void apply_capabilities(const std::optional<spec::Capabilities>& capabilities);

// Returns the capability names apply_capabilities recognizes: every name the linked libcap
// resolves, in capability-number order, whether or not this kernel has the capability.
std::vector<std::string> known_capability_names();

}  // namespace ocirun::security
