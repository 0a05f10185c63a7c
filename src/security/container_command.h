// The decision whether a command line runs code in a container, shared by the ELF entry point
// (cli/entry.cc), which runs before glibc starts, and by the re-exec in main (self_exe.h).
#pragma once

namespace ocirun::security {

// Returns true when the command (the first argument after the global flags) is create, run,
// exec or restore, the commands whose process enters a container before execve. An unknown
// global flag also returns true, because a missed re-exec is worse than a needless one.
// It calls no library function, so the entry point may call it before glibc starts.
bool runs_container_code(int argc, char** argv);

}  // namespace ocirun::security
