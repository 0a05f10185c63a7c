// Reading and writing the control files of one cgroup directory.
#include "cgroups/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/error.h"

namespace ocirun::cgroups {

std::string join_path(std::string_view dir, std::string_view name) {
    std::string path(dir);
    if (path.empty() || path.back() != '/') {
        path += '/';
    }
    path += name;
    return path;
}

std::string read_control(const std::string& dir, const std::string& name) {
    std::string path = join_path(dir, name);
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    std::string contents;
    char buffer[4096];
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            int err = errno;
            close(fd);
            throw_errno("read " + quote(path), err);
        }
        if (count == 0) {
            break;
        }
        contents.append(buffer, static_cast<size_t>(count));
    }
    close(fd);
    while (!contents.empty() && contents.back() == '\n') {
        contents.pop_back();
    }
    return contents;
}

void write_control(const std::string& dir, const std::string& name, const std::string& value) {
    std::string path = join_path(dir, name);
    // O_TRUNC matters only for the regular files of a fake tree in tests; cgroupfs ignores it.
    int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    ssize_t count;
    do {
        count = write(fd, value.data(), value.size());
    } while (count < 0 && errno == EINTR);
    int err = errno;
    close(fd);
    if (count < 0) {
        throw_errno("write " + quote(value) + " to " + quote(path), err);
    }
}

int64_t read_control_integer(const std::string& dir, const std::string& name) {
    std::string text = read_control(dir, name);
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0) {
        throw_error("read " + quote(join_path(dir, name)) + ": " + quote(text) +
                    " is not a decimal integer");
    }
    return value;
}

bool path_exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

}  // namespace ocirun::cgroups
