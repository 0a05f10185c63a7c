#include "base/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ocirun {

bool read_all(int fd, std::string& text) {
    char buffer[4096];
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            return false;
        }
        if (count == 0) {
            return true;
        }
        text.append(buffer, static_cast<size_t>(count));
    }
}

std::optional<std::string> read_file(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return std::nullopt;
    }
    std::string contents;
    bool complete = read_all(fd, contents);
    int saved = errno;
    close(fd);
    if (!complete) {
        errno = saved;
        return std::nullopt;
    }
    return contents;
}

}  // namespace ocirun
