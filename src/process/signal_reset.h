// Giving a process started by the runtime the signal state of a fresh process.
#pragma once

namespace ocirun::process {

// Unblocks every signal and restores each one's default action. The runtime blocks signals
// before it clones and its caller may ignore some (SIG_IGN survives execve), and the container's
// process must start with neither.
void reset_signals();

}  // namespace ocirun::process
