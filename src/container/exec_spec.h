// The process `exec` runs: from --process or from config.json's process and the exec flags.
#pragma once

#include "container/operations.h"
#include "spec/spec.h"

namespace ocirun::container {

// Returns the process to run. With --process it is process.json alone, as runc 1.1.5 ignores
// the other flags then; otherwise config.json's process with the command, --env, --cwd,
// --user, --additional-gids, --cap, --tty, --no-new-privs, --apparmor and --process-label
// applied. Throws an invalid_spec Error for a process without args.
spec::Process exec_process_spec(const ExecOptions& options, const spec::Spec& config);

// Throws for the terminal options runc rejects: a terminal with --detach but no
// --console-socket, or a --console-socket without a terminal.
void check_terminal_options(const ExecOptions& options, const spec::Process& process);

}  // namespace ocirun::container
