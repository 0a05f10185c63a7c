// The error of commands ocirun parses but does not run yet.
#pragma once

#include <string_view>

namespace ocirun::cli {

// Throws Error(unsupported) `COMMAND is not implemented yet: MISSING`.
[[noreturn]] void throw_not_implemented(std::string_view command, std::string_view missing);

}  // namespace ocirun::cli
