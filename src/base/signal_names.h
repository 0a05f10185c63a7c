// Signal names and numbers as `kill` accepts them.
#pragma once

#include <string>
#include <string_view>

namespace ocirun {

// Parses a signal given as a number (0 to SIGRTMAX) or a name, case-insensitive, with or
// without the `SIG` prefix: `9`, `KILL`, `SIGKILL`, `kill`, `RTMIN+3`. Throws Error
// `unknown signal "NAME"` otherwise.
int parse_signal(std::string_view text);

// Returns the name with the `SIG` prefix, such as "SIGTERM", or the number when it has none.
std::string signal_name(int signal);

}  // namespace ocirun
