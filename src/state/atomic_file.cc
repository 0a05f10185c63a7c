// Replacing a file atomically, so that a reader sees either the old or the new contents.
#include "state/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace ocirun::state {

namespace {

void write_all(int fd, std::string_view contents, const std::string& path) {
    while (!contents.empty()) {
        ssize_t written = ::write(fd, contents.data(), contents.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno("write " + quote(path));
        }
        contents.remove_prefix(static_cast<size_t>(written));
    }
}

}  // namespace

void write_file_atomically(const std::string& dir, const std::string& name,
                           std::string_view contents) {
    std::string temp_path = dir + "/." + name + ".XXXXXX";
    int fd = mkostemp(temp_path.data(), O_CLOEXEC);
    if (fd < 0) {
        throw_errno("create a temporary file in " + quote(dir));
    }
    try {
        write_all(fd, contents, temp_path);
        if (::close(fd) != 0) {
            fd = -1;
            throw_errno("close " + quote(temp_path));
        }
        fd = -1;
        std::string path = dir + "/" + name;
        if (::rename(temp_path.c_str(), path.c_str()) != 0) {
            throw_errno("rename " + quote(temp_path) + " to " + quote(path));
        }
    } catch (...) {
        if (fd >= 0) {
            ::close(fd);
        }
        ::unlink(temp_path.c_str());
        throw;
    }
}

}  // namespace ocirun::state
