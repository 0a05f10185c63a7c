// The container process's OOM killer score adjustment (process.oomScoreAdj).
#include <string>

#include "base/error.h"
#include "process/attributes.h"
#include "security/procfs.h"

namespace ocirun::process {

// Written through a procfs instance of its own, because after pivot_root /proc is the
// container's and a mount or symlink of the image could redirect the write.
void apply_oom_score_adj(int score) {
    const std::string value = std::to_string(score);
    try {
        security::write_procfs_file("/proc/self/oom_score_adj", value);
    } catch (const Error& error) {
        throw error.with_context("set process.oomScoreAdj to " + value);
    }
}

}  // namespace ocirun::process
