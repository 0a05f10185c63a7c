// A container's cgroup on a v1, hybrid or unified v2 host: created at create, joined by exec,
// listed by ps and kill --all, frozen by pause, removed by delete.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::cgroups {

// Absolute cgroup directories by controller name ("" for the unified v2 hierarchy).
using CgroupPaths = std::map<std::string, std::string>;

struct CgroupRequest {
    std::string cgroups_path;  // linux.cgroupsPath; empty means a default derived from id
    std::string id;
    bool systemd = false;  // --systemd-cgroup: cgroupsPath is slice:prefix:name
    // The systemd driver only: the spec's annotations, whose org.systemd.property.NAME entries
    // become properties of the transient unit, and linux.resources, which become the unit's
    // MemoryMax, CPUWeight, TasksMax and similar properties.
    std::map<std::string, std::string> annotations = {};
    std::optional<spec::Resources> resources = std::nullopt;
    // Not with `systemd`: the process joins the v1 hierarchies itself by writing "0" to the
    // `tasks` files in CreatedCgroup::join_files, and create writes `pid` to cgroup.procs only
    // in a v2 hierarchy. Writing a pid to cgroup.procs takes the kernel's global cgroup
    // threadgroup lock. After the lock was idle for a while, its next writer waits for a full
    // RCU grace period: about 10 ms, for 3 of 50 sequential containers on a 2-core VM with
    // kernel 6.18 (perf sched). A thread that moves itself through `tasks` skips that lock.
    bool process_joins_v1 = false;
};

struct CreatedCgroup {
    CgroupPaths paths;
    // `paths` relative to each hierarchy's mount point, for the container's cgroup mount. They
    // come from the layout that create read, so that create reads /proc once.
    std::map<std::string, std::string> relative_paths;
    bool created = false;  // true when create made the cgroup in every hierarchy
    // The entries of `paths` whose directory create made, which delete removes. The others
    // existed before and are joined, and delete leaves them to their owner.
    CgroupPaths created_paths;
    // The `tasks` file of each v1 hierarchy, to which the process writes "0" (only with
    // CgroupRequest::process_joins_v1).
    std::vector<std::string> join_files;
};

// Called by create with the cgroup once its directories exist, right before `pid` is written to
// cgroup.procs (and join_files are set). With request.systemd, systemd has moved `pid` into its
// scope already.
using BeforeJoin = std::function<void(const CreatedCgroup& cgroup)>;

// Makes (or reuses) the container's cgroup in every mounted hierarchy and moves `pid` into it.
// With request.systemd it requests from systemd over D-Bus for a transient scope holding `pid`
// first, and throws Error (unsupported) when systemd is not running. An exception from
// `before_join` removes the directories made here and is passed on.
CreatedCgroup create(const CgroupRequest& request, pid_t pid, const BeforeJoin& before_join = {});

// Moves `pid` into the cgroup (exec).
void add_process(const CgroupPaths& paths, pid_t pid);

// Returns `paths` with the sub-cgroups named by `exec --cgroup` values substituted. Each value is
// "path" (every hierarchy) or "controller[,controller...]:path", with the path taken below the
// container's cgroup; the sub-cgroup must already exist for add_process to succeed. Throws Error
// (invalid_spec) for a controller the container has no cgroup for.
CgroupPaths exec_cgroup_paths(const CgroupPaths& paths, const std::vector<std::string>& values);

// Returns every pid in the cgroup, recursively.
std::vector<pid_t> list_pids(const CgroupPaths& paths);

// Sends `signal` to every process in the cgroup, freezing it meanwhile so none can fork away.
void signal_all(const CgroupPaths& paths, int signal);

void freeze(const CgroupPaths& paths);
void thaw(const CgroupPaths& paths);
bool is_frozen(const CgroupPaths& paths);

// Applies linux.resources to the cgroup.
void apply_resources(const CgroupPaths& paths, const spec::Resources& resources);

// Returns the device rules runc appends after linux.resources.devices: mknod of any device,
// /dev/null, zero, full, random, urandom, tty, ptmx, /dev/pts/* and /dev/net/tun, then each
// linux.devices entry with rwm access. The caller applies linux.resources.devices followed by
// these, so that a container can use the devices its /dev is given.
std::vector<spec::DeviceCgroupRule> default_device_rules(const std::vector<spec::Device>& devices);

// Removes the cgroup directories, killing what is left in them; missing ones are not errors.
// When systemd runs a unit whose control group is the container's cgroup (the systemd driver's
// transient scope), that unit is stopped first.
void destroy(const CgroupPaths& paths);

// Returns each path relative to its hierarchy's mount point, for the container's cgroup mount.
std::map<std::string, std::string> relative_paths(const CgroupPaths& paths);

}  // namespace ocirun::cgroups
