// The cgroup hierarchies of this host, read from /proc/self/mountinfo, /proc/cgroups and
// /proc/self/cgroup.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ocirun::cgroups {

// legacy: v1 hierarchies only; hybrid: v1 plus a cgroup2 mount; unified: cgroup2 only.
enum class Mode { legacy, hybrid, unified };

struct Hierarchy {
    std::string mount_point;  // e.g. "/sys/fs/cgroup/cpu,cpuacct"
    std::string root;         // the cgroup mounted there, "/" unless inside a cgroup namespace
    // v1: controller names such as "cpu" or "name=systemd"; the cgroup2 hierarchy has none,
    // because its controllers are listed per directory in cgroup.controllers.
    std::vector<std::string> controllers;
    bool unified = false;

    // Keys of CgroupPaths: the v1 controller names, or "" for the cgroup2 hierarchy.
    std::vector<std::string> keys() const;
};

struct Layout {
    Mode mode = Mode::legacy;
    std::vector<Hierarchy> hierarchies;
    // The runtime's own cgroup by CgroupPaths key, relative to each hierarchy's root.
    std::map<std::string, std::string> own_cgroups;
};

// Returns the enabled v1 controller names listed in /proc/cgroups text.
std::set<std::string> parse_proc_cgroups(const std::string& text);

// Returns the cgroup and cgroup2 mounts in /proc/self/mountinfo text, one per hierarchy. Mount
// options that are not in `known_controllers` and do not start with "name=" are not controllers.
std::vector<Hierarchy> parse_mountinfo(const std::string& text,
                                       const std::set<std::string>& known_controllers);

// Returns /proc/self/cgroup text as paths by CgroupPaths key.
std::map<std::string, std::string> parse_proc_cgroup(const std::string& text);

Layout make_layout(std::vector<Hierarchy> hierarchies, std::map<std::string, std::string> own);

// Returns this host's layout, or the one set by set_layout_for_testing.
Layout current_layout();

// Makes current_layout return `layout` (a fake tree in a temporary directory), or the host's
// again when `layout` is nullopt.
void set_layout_for_testing(std::optional<Layout> layout);

}  // namespace ocirun::cgroups
