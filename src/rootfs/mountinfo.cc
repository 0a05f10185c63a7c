// Parsing of /proc/self/mountinfo lines.
#include "rootfs/mountinfo.h"

#include <optional>
#include <sstream>

#include "base/error.h"
#include "base/file.h"

namespace ocirun::rootfs {
namespace {

bool is_octal_digit(char c) {
    return c >= '0' && c <= '7';
}

// Decodes the octal escapes (\040 for a space) that mountinfo writes in paths.
std::string unescape(const std::string& text) {
    std::string decoded;
    for (size_t i = 0; i < text.size(); ++i) {
        bool escape = text[i] == '\\' && i + 3 < text.size() && is_octal_digit(text[i + 1]) &&
                      is_octal_digit(text[i + 2]) && is_octal_digit(text[i + 3]);
        if (escape) {
            decoded += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                         (text[i + 3] - '0'));
            i += 3;
        } else {
            decoded += text[i];
        }
    }
    return decoded;
}

std::optional<MountInfo> parse_line(const std::string& line) {
    std::vector<std::string> fields = split_text(line, ' ');
    size_t separator = 6;
    while (separator < fields.size() && fields[separator] != "-") {
        ++separator;
    }
    // The fields after "-" are the filesystem type, the source and the super options.
    if (separator + 3 >= fields.size()) {
        return std::nullopt;
    }
    MountInfo info;
    info.root = unescape(fields[3]);
    info.mount_point = unescape(fields[4]);
    info.mount_options = split_text(fields[5], ',');
    info.optional_fields.assign(fields.begin() + 6, fields.begin() + static_cast<long>(separator));
    info.fs_type = fields[separator + 1];
    info.source = unescape(fields[separator + 2]);
    info.super_options = split_text(fields[separator + 3], ',');
    return info;
}

}  // namespace

std::vector<std::string> split_text(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::stringstream stream(text);
    std::string part;
    while (std::getline(stream, part, separator)) {
        parts.push_back(part);
    }
    return parts;
}

std::string read_text_file(const std::string& path) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
        throw_errno("read " + quote(path));
    }
    return std::move(*text);
}

std::vector<MountInfo> parse_mountinfo(const std::string& text) {
    std::vector<MountInfo> mounts;
    for (const std::string& line : split_text(text, '\n')) {
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
