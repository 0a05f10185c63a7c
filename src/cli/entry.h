// Outcome of the re-exec from a read-only image of the binary that the ELF entry point
// (entry.cc) attempts.
#pragma once

extern "C" {
// One of the EntryResult values, or 0 when the binary has no such entry point.
extern int ocirun_entry_result;
}

namespace ocirun::cli {

enum EntryResult {
    kEntryNotRun = 0,
    // The command runs no container code, or /proc/self/exe is write-protected already.
    kEntryNoReexec = 1,
    // A step failed, for example open_tree with EPERM, so main must make the sealed copy.
    kEntryFailed = 2,
};

}  // namespace ocirun::cli
