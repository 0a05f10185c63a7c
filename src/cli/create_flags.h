// The flags `create` and `run` share.
#pragma once

#include "cli/command.h"

namespace ocirun::cli {

// Registers --bundle, --console-socket, --pidfd-socket, --pid-file, --no-pivot,
// --no-new-keyring, --preserve-fds and the container id on `command`.
void add_create_flags(CLI::App& command, ParsedCommand& parsed);

}  // namespace ocirun::cli
