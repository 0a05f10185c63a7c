// The cgroup hierarchies of this host, read from /proc/self/mountinfo, /proc/cgroups and
// /proc/self/cgroup.
#include "cgroups/layout.h"

#include "base/error.h"
#include "base/file.h"
#include "base/text.h"

namespace ocirun::cgroups {
namespace {

std::optional<Layout>& layout_override() {
    static std::optional<Layout> layout;
    return layout;
}

std::string read_whole_file(const std::string& path) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
        throw_errno("read " + quote(path));
    }
    return std::move(*text);
}

}  // namespace

std::vector<std::string> Hierarchy::keys() const {
    if (unified) {
        return {""};
    }
    return controllers;
}

std::set<std::string> parse_proc_cgroups(const std::string& text) {
    std::set<std::string> names;
    for (const std::string& line : split(text, '\n')) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        // Fields: subsys_name hierarchy num_cgroups enabled.
        std::vector<std::string> fields = split_words(line);
        if (fields.size() >= 4 && fields[3] != "0") {
            names.insert(fields[0]);
        }
    }
    return names;
}

std::vector<Hierarchy> parse_mountinfo(const std::string& text,
                                       const std::set<std::string>& known_controllers) {
    std::vector<Hierarchy> hierarchies;
    std::map<std::string, size_t> seen_devices;  // major:minor -> index in hierarchies
    for (const std::string& line : split(text, '\n')) {
        // Fields: id parent major:minor root mount_point options [optional...] - type source
        // super_options.
        std::vector<std::string> fields = split_words(line);
        size_t dash = 0;
        while (dash < fields.size() && fields[dash] != "-") {
            ++dash;
        }
        if (dash < 5 || dash + 1 >= fields.size()) {
            continue;
        }
        const std::string& type = fields[dash + 1];
        if (type != "cgroup" && type != "cgroup2") {
            continue;
        }
        Hierarchy hierarchy;
        hierarchy.root = unescape_octal(fields[3]);
        hierarchy.mount_point = unescape_octal(fields[4]);
        hierarchy.unified = type == "cgroup2";
        if (!hierarchy.unified && dash + 3 < fields.size()) {
            for (const std::string& option : split(fields[dash + 3], ',')) {
                if (known_controllers.count(option) != 0 || option.rfind("name=", 0) == 0) {
                    hierarchy.controllers.push_back(option);
                }
            }
            if (hierarchy.controllers.empty()) {
                continue;
            }
        }
        // A hierarchy can be mounted more than once, for example a sub-cgroup bind-mounted
        // elsewhere. The first mount of its whole tree is used, else its first mount.
        auto same = seen_devices.find(fields[2]);
        if (same != seen_devices.end()) {
            Hierarchy& kept = hierarchies[same->second];
            if (kept.root != "/" && hierarchy.root == "/") {
                kept = std::move(hierarchy);
            }
            continue;
        }
        seen_devices[fields[2]] = hierarchies.size();
        hierarchies.push_back(std::move(hierarchy));
    }
    return hierarchies;
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string& text) {
    std::map<std::string, std::string> paths;
    for (const std::string& line : split(text, '\n')) {
        size_t first = line.find(':');
        size_t second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) {
            continue;
        }
        std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        if (controllers.empty()) {
            paths[""] = path;
            continue;
        }
        for (const std::string& controller : split(controllers, ',')) {
            paths[controller] = path;
        }
    }
    return paths;
}

Layout make_layout(std::vector<Hierarchy> hierarchies, std::map<std::string, std::string> own) {
    Layout layout;
    bool has_v1 = false;
    bool has_v2 = false;
    for (const Hierarchy& hierarchy : hierarchies) {
        (hierarchy.unified ? has_v2 : has_v1) = true;
    }
    if (has_v2 && !has_v1) {
        layout.mode = Mode::unified;
    } else if (has_v2) {
        layout.mode = Mode::hybrid;
    }
    layout.hierarchies = std::move(hierarchies);
    layout.own_cgroups = std::move(own);
    return layout;
}

Layout current_layout() {
    if (layout_override()) {
        return *layout_override();
    }
    std::set<std::string> known = parse_proc_cgroups(read_whole_file("/proc/cgroups"));
    Layout layout = make_layout(parse_mountinfo(read_whole_file("/proc/self/mountinfo"), known),
                                parse_proc_cgroup(read_whole_file("/proc/self/cgroup")));
    if (layout.hierarchies.empty()) {
        throw_error("no cgroup hierarchy is mounted (none in /proc/self/mountinfo)",
                    ErrorKind::unsupported);
    }
    return layout;
}

void set_layout_for_testing(std::optional<Layout> layout) {
    layout_override() = std::move(layout);
}

}  // namespace ocirun::cgroups
