// Reading and writing the control files of one cgroup directory.
#include "cgroups/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/error.h"
#include "base/file.h"

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
    std::optional<std::string> read = read_file(path);
    if (!read) {
        throw_errno("read " + quote(path));
    }
    std::string contents = std::move(*read);
    while (!contents.empty() && contents.back() == '\n') {
        contents.pop_back();
    }
    return contents;
}

namespace {

int open_control(const std::string& path) {
    // O_TRUNC matters only for the regular files of a fake tree in tests; cgroupfs ignores it.
    int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    return fd;
}

// Returns 0 or the errno of a failed write.
int write_entry(int fd, const std::string& value) {
    ssize_t count;
    do {
        count = write(fd, value.data(), value.size());
    } while (count < 0 && errno == EINTR);
    return count < 0 ? errno : 0;
}

}  // namespace

void write_control(const std::string& dir, const std::string& name, const std::string& value) {
    write_control_entries(dir, name, {value});
}

void write_control_entries(const std::string& dir, const std::string& name,
                           const std::vector<std::string>& values) {
    std::string path = join_path(dir, name);
    int fd = open_control(path);
    for (const std::string& value : values) {
        if (int err = write_entry(fd, value)) {
            close(fd);
            throw_errno("write " + quote(value) + " to " + quote(path), err);
        }
    }
    close(fd);
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
