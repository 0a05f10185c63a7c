// Turns the command line into a ParsedCommand without running anything.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "cli/command.h"

namespace ocirun::cli {

// Parses `args` (without the program name). Relative --root, --bundle, --pid-file,
// --console-socket, --pidfd-socket and --process paths are made absolute against `cwd`. Throws
// Error with the parser's message on a usage error. Help and version requests come back in
// `output`.
ParsedCommand parse_command_line(const std::vector<std::string>& args, const std::string& cwd);

// Returns the default --root: /run/ocirun for root, or $XDG_RUNTIME_DIR/ocirun for any other
// effective uid when that variable is set and not empty, as runc chooses its root.
std::string default_root(uid_t euid, const char* xdg_runtime_dir);

// Returns the three lines of `ocirun --version`, which containerd's go-runc parses.
std::string version_text();

}  // namespace ocirun::cli
