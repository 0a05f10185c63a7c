// Creating, joining and removing the floor's cgroup on the v1 hierarchies.
#include "floor_cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "base/error.h"

namespace ocirun::bench {
namespace {

constexpr const char* kCgroupRoot = "/sys/fs/cgroup/";

// The device rules runc 1.1 writes for a config whose only device rule denies everything.
constexpr const char* kAllowedDevices[] = {
    "c *:* m",   "b *:* m",   "c 1:3 rwm",   "c 1:8 rwm", "c 1:7 rwm",    "c 5:0 rwm",
    "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm",
};

std::string read_line(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw_errno("open " + quote(path));
    }
    std::string line;
    std::getline(in, line);
    return line;
}

void write_file(const std::string& path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.flush();
    if (!out) {
        throw_errno("write " + quote(value) + " to " + quote(path));
    }
}

// Maps each hierarchy's controller list ("memory", "name=systemd") to this process's cgroup.
std::map<std::string, std::string> own_cgroups() {
    std::ifstream in("/proc/self/cgroup");
    std::map<std::string, std::string> cgroups;
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find(':');
        auto second = line.find(':', first + 1);
        cgroups[line.substr(first + 1, second - first - 1)] = line.substr(second + 1);
    }
    return cgroups;
}

// Returns the super options of a "cgroup" line of /proc/self/mountinfo, such as "rw,memory".
std::string controllers_of(const std::string& super_options) {
    std::string controllers;
    std::stringstream options(super_options);
    std::string option;
    while (std::getline(options, option, ',')) {
        if (option == "rw" || option == "ro" || option.starts_with("release_agent") ||
            option == "clone_children" || option == "xattr" || option == "noprefix") {
            continue;
        }
        controllers += (controllers.empty() ? "" : ",") + option;
    }
    return controllers;
}

}  // namespace

std::vector<Hierarchy> find_hierarchies(const std::string& name) {
    auto own = own_cgroups();
    std::ifstream in("/proc/self/mountinfo");
    std::vector<Hierarchy> hierarchies;
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream fields(line);
        std::string id, parent, device, root, mount_point, field;
        fields >> id >> parent >> device >> root >> mount_point;
        while (fields >> field && field != "-") {
        }
        std::string type, source, super_options;
        fields >> type >> source >> super_options;
        if (type != "cgroup" || !mount_point.starts_with(kCgroupRoot)) {
            continue;
        }
        auto own_path = own.find(controllers_of(super_options));
        if (own_path == own.end()) {
            throw_error("cgroup " + quote(mount_point) + " is not listed in /proc/self/cgroup");
        }
        std::string parent_dir = mount_point + (own_path->second == "/" ? "" : own_path->second);
        hierarchies.push_back({mount_point, parent_dir + "/" + name});
    }
    if (hierarchies.empty()) {
        throw_error("no cgroup v1 hierarchy is mounted below " + quote(kCgroupRoot));
    }
    return hierarchies;
}

void create_cgroup(const std::vector<Hierarchy>& hierarchies) {
    for (const auto& hierarchy : hierarchies) {
        if (mkdir(hierarchy.cgroup_dir.c_str(), 0755) != 0) {
            throw_errno("mkdir " + quote(hierarchy.cgroup_dir));
        }
        if (hierarchy.mount_point.ends_with("/cpuset")) {
            std::string parent_dir =
                hierarchy.cgroup_dir.substr(0, hierarchy.cgroup_dir.rfind('/'));
            for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
                write_file(hierarchy.cgroup_dir + file, read_line(parent_dir + file));
            }
        }
        if (hierarchy.mount_point.ends_with("/devices")) {
            write_file(hierarchy.cgroup_dir + "/devices.deny", "a");
            for (const char* rule : kAllowedDevices) {
                write_file(hierarchy.cgroup_dir + "/devices.allow", rule);
            }
        }
    }
}

void join_cgroup(const std::vector<Hierarchy>& hierarchies) {
    for (const auto& hierarchy : hierarchies) {
        write_file(hierarchy.cgroup_dir + "/tasks", "0");
    }
}

void remove_cgroup(const std::vector<Hierarchy>& hierarchies) {
    for (const auto& hierarchy : hierarchies) {
        if (rmdir(hierarchy.cgroup_dir.c_str()) != 0 && errno != ENOENT) {
            throw_errno("rmdir " + quote(hierarchy.cgroup_dir));
        }
    }
}

}  // namespace ocirun::bench
