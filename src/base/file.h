// Reading small files such as those of /proc, cgroupfs and the state directory.
#pragma once

#include <optional>
#include <string>

namespace ocirun {

// Returns the contents of the file at `path`, or std::nullopt with errno set when the file
// cannot be opened or read. The runtime reads /proc and cgroup files with it because an
// std::ifstream allocates an 8 KiB buffer and sets up a locale for each file.
std::optional<std::string> read_file(const std::string& path);

// Appends everything that can be read from `fd` until end of file to `text`. Returns false
// with errno set when a read fails.
bool read_all(int fd, std::string& text);

}  // namespace ocirun
