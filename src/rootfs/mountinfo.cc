// Parsing of /proc/self/mountinfo lines.
#include "rootfs/mountinfo.h"

#include <optional>

#include "base/error.h"
#include "base/file.h"
#include "base/text.h"

namespace ocirun::rootfs {
namespace {

std::optional<MountInfo> parse_line(const std::string& line) {
    std::vector<std::string> fields = split(line, ' ');
    size_t separator = 6;
    while (separator < fields.size() && fields[separator] != "-") {
        ++separator;
    }
    // The fields after "-" are the filesystem type, the source and the super options.
    if (separator + 3 >= fields.size()) {
        return std::nullopt;
    }
    MountInfo info;
    info.root = unescape_octal(fields[3]);
    info.mount_point = unescape_octal(fields[4]);
    info.mount_options = split(fields[5], ',');
    info.optional_fields.assign(fields.begin() + 6, fields.begin() + static_cast<long>(separator));
    info.fs_type = fields[separator + 1];
    info.source = unescape_octal(fields[separator + 2]);
    info.super_options = split(fields[separator + 3], ',');
    return info;
}

}  // namespace

std::string read_text_file(const std::string& path) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
        throw_errno("read " + quote(path));
    }
    return std::move(*text);
}

std::vector<MountInfo> parse_mountinfo(const std::string& text) {
    std::vector<MountInfo> mounts;
    for (const std::string& line : split(text, '\n')) {
        if (std::optional<MountInfo> info = parse_line(line)) {
            mounts.push_back(std::move(*info));
        }
    }
    return mounts;
}

std::vector<MountInfo> read_mountinfo() {
    return parse_mountinfo(read_text_file("/proc/self/mountinfo"));
}

}  // namespace ocirun::rootfs
