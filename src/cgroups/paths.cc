// The container's cgroup directory in each hierarchy, resolved from linux.cgroupsPath as runc
// resolves it.
#include "cgroups/paths.h"

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "base/text.h"
#include "cgroups/files.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_unit.h"

namespace ocirun::cgroups {
namespace {

// Returns `path` below `base` when it is there, with a leading '/', or nullopt.
std::optional<std::string> path_below(const std::string& path, const std::string& base) {
    if (base == "/" || base.empty()) {
        return path.empty() ? "/" : path;
    }
    if (path == base) {
        return "/";
    }
    if (path.size() > base.size() && path.compare(0, base.size(), base) == 0 &&
        path[base.size()] == '/') {
        return path.substr(base.size());
    }
    return std::nullopt;
}

// Returns the parent of the absolute cgroup path `path`, which is "/" for "/".
std::string parent_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string join_clean(const std::string& left, const std::string& right) {
    return clean_path(left + "/" + right);
}

std::string own_cgroup_below_mount(const Layout& layout, const Hierarchy& hierarchy) {
    std::vector<std::string> keys = hierarchy.keys();
    auto own = layout.own_cgroups.find(keys.empty() ? "" : keys.front());
    if (own == layout.own_cgroups.end()) {
        return "/";
    }
    // Inside a cgroup namespace or a bind mount of a sub-cgroup the mount shows only part of
    // the hierarchy, so the own cgroup is taken relative to the mounted root.
    std::string below = path_below(own->second, hierarchy.root).value_or("/");
    // On a pure v2 host the runtime's own cgroup holds the caller (a shell, conmon or the
    // containerd shim in a systemd service), and v2's no-internal-process rule rejects moving
    // processes into a sub-cgroup once a controller is enabled for it. runc 1.1.5's fs2 driver
    // therefore uses the parent of its own cgroup, and so does this.
    if (layout.mode == Mode::unified) {
        return parent_of(below);
    }
    return below;
}

// systemd places a unit's cgroup at the same path in every hierarchy it manages, and the
// other v1 hierarchies get that path too, as runc does. A user's manager places its units
// below its own cgroup, which only cgroup v2 delegates to the user.
CgroupPaths systemd_paths(const Layout& layout, const CgroupRequest& request) {
    SystemdUnit unit = systemd_unit(request);
    std::string manager_root;
    if (uses_user_manager()) {
        if (layout.mode != Mode::unified) {
            throw_error(
                "the systemd cgroup driver (--systemd-cgroup) of a rootless container needs a "
                "pure cgroup v2 host, because systemd delegates no cgroup v1 hierarchy to a "
                "user; run without --systemd-cgroup",
                ErrorKind::unsupported);
        }
        manager_root = manager_cgroup();
    }
    CgroupPaths paths;
    for (const Hierarchy& hierarchy : layout.hierarchies) {
        for (const std::string& key : hierarchy.keys()) {
            paths[key] = join_clean(hierarchy.mount_point, manager_root + unit.cgroup);
        }
    }
    return paths;
}

}  // namespace

std::string clean_path(const std::string& path) {
    if (path.empty()) {
        return "";
    }
    std::vector<std::string> parts;
    for (std::string& part : split(path, '/')) {
        if (part.empty() || part == ".") {
            continue;
        }
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
            continue;
        }
        parts.push_back(std::move(part));
    }
    std::string cleaned;
    for (const std::string& name : parts) {
        cleaned += "/" + name;
    }
    if (path[0] != '/') {
        return cleaned.empty() ? "" : cleaned.substr(1);
    }
    return cleaned.empty() ? "/" : cleaned;
}

CgroupPaths resolve_paths(const Layout& layout, const CgroupRequest& request) {
    if (request.systemd) {
        return systemd_paths(layout, request);
    }
    std::string inner = clean_path(request.cgroups_path);
    if (inner.empty()) {
        inner = clean_path(request.id);
    }
    if (inner.empty() || inner == "/") {
        throw_error("cgroupsPath " + quote(request.cgroups_path) + " for container " +
                        quote(request.id) + " names no cgroup below the hierarchy root",
                    ErrorKind::invalid_spec);
    }
    CgroupPaths paths;
    for (const Hierarchy& hierarchy : layout.hierarchies) {
        std::string directory =
            inner[0] == '/'
                ? join_clean(hierarchy.mount_point, inner)
                : join_clean(hierarchy.mount_point + own_cgroup_below_mount(layout, hierarchy),
                             inner);
        for (const std::string& key : hierarchy.keys()) {
            paths[key] = directory;
        }
    }
    return paths;
}

std::map<std::string, std::string> relative_paths_in(const Layout& layout,
                                                     const CgroupPaths& paths) {
    std::map<std::string, std::string> relative;
    for (const auto& [key, path] : paths) {
        std::optional<std::string> best;
        size_t best_length = 0;
        for (const Hierarchy& hierarchy : layout.hierarchies) {
            std::optional<std::string> below = path_below(path, hierarchy.mount_point);
            if (below && (!best || hierarchy.mount_point.size() > best_length)) {
                best = below;
                best_length = hierarchy.mount_point.size();
            }
        }
        if (!best) {
            throw_error("cgroup path " + quote(path) + " of controller " + quote(key) +
                            " is not below any mounted cgroup hierarchy",
                        ErrorKind::not_found);
        }
        relative[key] = *best;
    }
    return relative;
}

std::vector<std::string> unique_directories(const CgroupPaths& paths) {
    std::vector<std::string> directories;
    for (const auto& [key, path] : paths) {
        if (std::find(directories.begin(), directories.end(), path) == directories.end()) {
            directories.push_back(path);
        }
    }
    return directories;
}

}  // namespace ocirun::cgroups
