// The error of commands ocirun parses but does not run yet.
#include "cli/not_implemented.h"

#include <string>

#include "base/error.h"

namespace ocirun::cli {

void throw_not_implemented(std::string_view command, std::string_view missing) {
    throw_error("`" + std::string(command) + "` is not implemented yet: " + std::string(missing),
                ErrorKind::unsupported);
}

}  // namespace ocirun::cli
