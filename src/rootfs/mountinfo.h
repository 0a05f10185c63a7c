// Parsing of /proc/self/mountinfo lines.
#pragma once

#include <string>
#include <vector>

namespace ocirun::rootfs {

struct MountInfo {
    std::string root;         // the path inside the filesystem that is mounted, usually "/"
    std::string mount_point;  // with mountinfo's octal escapes decoded
    std::vector<std::string> mount_options;    // per-mount options, e.g. "ro", "nosuid"
    std::vector<std::string> optional_fields;  // e.g. "shared:1", "master:2"
    std::string fs_type;
    std::string source;
    std::vector<std::string> super_options;
};

// Returns every well-formed line of /proc/self/mountinfo text; malformed lines are skipped.
std::vector<MountInfo> parse_mountinfo(const std::string& text);

// Reads and parses /proc/self/mountinfo.
std::vector<MountInfo> read_mountinfo();

// Returns the whole content of a text file such as /proc/self/cgroup.
std::string read_text_file(const std::string& path);

}  // namespace ocirun::rootfs
