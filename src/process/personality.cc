// The execution domain of the container process (linux.personality).
#include <sys/personality.h>

#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {

// The runtime-spec defines the domains LINUX and LINUX32 and no flags yet.
void apply_personality(const spec::Personality& personality) {
    unsigned long persona = 0;
    if (personality.domain == "LINUX") {
        persona = PER_LINUX;
    } else if (personality.domain == "LINUX32") {
        persona = PER_LINUX32;
    } else {
        throw_error("invalid personality domain " + quote(personality.domain),
                    ErrorKind::invalid_spec);
    }
    if (!personality.flags.empty()) {
        throw_error("unsupported personality flag " + quote(personality.flags.front()),
                    ErrorKind::invalid_spec);
    }
    if (::personality(persona) < 0) {
        throw_errno("set personality " + personality.domain);
    }
}

}  // namespace ocirun::process
