// Config.User resolution from passwd and group files.
#include "image/user.h"

#include <fcntl.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "base/error.h"
#include "image/stream.h"
#include "rootfs/safe_path.h"

namespace ocirun::image {
namespace {

constexpr std::size_t kMaxAccountFileSize = 8 << 20;

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = text.find(separator, start);
        fields.push_back(text.substr(start, end - start));
        if (end == std::string::npos) {
            return fields;
        }
        start = end + 1;
    }
}

std::optional<std::uint32_t> parse_id(const std::string& text) {
    std::uint32_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// Returns the lines of a colon-separated account file split into fields, skipping comments
// and lines with fewer than `min_fields` fields.
std::vector<std::vector<std::string>> account_entries(const std::string& text,
                                                      std::size_t min_fields) {
    std::vector<std::vector<std::string>> entries;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::vector<std::string> fields = split(line, ':');
        if (fields.size() >= min_fields) {
            entries.push_back(std::move(fields));
        }
    }
    return entries;
}

std::string read_rootfs_file(int root_fd, const std::string& path) {
    rootfs::Fd fd = rootfs::open_in_root_if_exists(root_fd, path, O_RDONLY);
    if (!fd.valid()) {
        return "";
    }
    FileStream stream(std::move(fd), path);
    return read_all(stream, kMaxAccountFileSize, quote(path) + " in the rootfs");
}

gid_t resolve_group(const std::string& group, const std::string& group_file) {
    if (auto id = parse_id(group)) {
        return *id;
    }
    for (const auto& fields : account_entries(group_file, 3)) {
        if (fields[0] == group) {
            if (auto id = parse_id(fields[2])) {
                return *id;
            }
        }
    }
    throw_error("image user: group " + quote(group) + " not found in the rootfs's /etc/group",
                ErrorKind::invalid_spec);
}

std::vector<gid_t> supplementary_groups(const std::string& name, gid_t primary,
                                        const std::string& group_file) {
    std::vector<gid_t> gids;
    for (const auto& fields : account_entries(group_file, 4)) {
        std::vector<std::string> members = split(fields[3], ',');
        auto id = parse_id(fields[2]);
        if (!id || *id == primary ||
            std::find(members.begin(), members.end(), name) == members.end()) {
            continue;
        }
        if (std::find(gids.begin(), gids.end(), *id) == gids.end()) {
            gids.push_back(*id);
        }
    }
    return gids;
}

}  // namespace

ResolvedUser resolve_user_from(const std::string& user, const std::string& passwd,
                               const std::string& group) {
    ResolvedUser result;
    if (user.empty()) {
        return result;
    }
    std::size_t colon = user.find(':');
    std::string name = user.substr(0, colon);
    std::optional<std::string> group_name;
    if (colon != std::string::npos) {
        group_name = user.substr(colon + 1);
    }

    const std::vector<std::string>* entry = nullptr;
    std::vector<std::vector<std::string>> entries = account_entries(passwd, 4);
    std::optional<std::uint32_t> numeric = parse_id(name);
    for (const auto& fields : entries) {
        if (numeric ? parse_id(fields[2]) == numeric : fields[0] == name) {
            entry = &fields;
            break;
        }
    }
    if (numeric) {
        result.uid = *numeric;
    } else if (entry == nullptr) {
        throw_error("image user " + quote(name) + " not found in the rootfs's /etc/passwd",
                    ErrorKind::invalid_spec);
    } else {
        result.uid = parse_id((*entry)[2]).value_or(0);
    }
    result.gid = entry != nullptr ? parse_id((*entry)[3]).value_or(0) : 0;

    if (group_name) {
        result.gid = resolve_group(*group_name, group);
    } else if (!numeric) {
        result.additional_gids = supplementary_groups(name, result.gid, group);
    }
    return result;
}

ResolvedUser resolve_user(int root_fd, const std::string& user) {
    if (user.empty()) {
        return ResolvedUser{};
    }
    return resolve_user_from(user, read_rootfs_file(root_fd, "/etc/passwd"),
                             read_rootfs_file(root_fd, "/etc/group"));
}

}  // namespace ocirun::image
