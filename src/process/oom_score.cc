// The container process's OOM killer score adjustment (process.oomScoreAdj).
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {

void apply_oom_score_adj(int score) {
    constexpr const char* kPath = "/proc/self/oom_score_adj";
    const std::string value = std::to_string(score);
    const std::string context = "write " + value + " to " + quote(kPath);
    const int fd = open(kPath, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno(context);
    }
    const ssize_t written = write(fd, value.data(), value.size());
    const int error = errno;
    close(fd);
    if (written != static_cast<ssize_t>(value.size())) {
        throw_errno(context, written < 0 ? error : EIO);
    }
}

}  // namespace ocirun::process
