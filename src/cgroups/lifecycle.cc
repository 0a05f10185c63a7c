// Creating, joining and removing a container's cgroup directories.
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"
#include "cgroups/layout.h"
#include "cgroups/paths.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_unit.h"

namespace ocirun::cgroups {
namespace {

// How long destroy keeps retrying rmdir while killed processes are still leaving the cgroup.
constexpr std::chrono::milliseconds kRemoveTimeout{2000};

std::string parent_directory(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and the kernel rejects
// to add a process to it until both are set, so they are copied from the parent. With the
// parent's cgroup.clone_children set the kernel has copied them already, and writing the same
// values again changes nothing, so the new cgroup's files are not read first. A parent that
// another program made and left empty (a pod's cgroup) is filled from its own parent first,
// as runc does, up to the hierarchy's mount point.
void inherit_cpuset(const std::string& directory, const std::string& mount_point) {
    std::string parent = parent_directory(directory);
    for (const char* name : {"cpuset.cpus", "cpuset.mems"}) {
        std::string value = read_control(parent, name);
        if (value.empty() && parent.size() > mount_point.size()) {
            inherit_cpuset(parent, mount_point);
            value = read_control(parent, name);
        }
        write_control(directory, name, value);
    }
}

// On cgroup v2 a controller's files appear in a cgroup only when every ancestor lists the
// controller in cgroup.subtree_control. When enabling all at once fails (a controller can be
// busy, for example cpu while a real-time process runs in the ancestor), each is tried alone.
// Controllers that stay disabled are not an error here: apply_resources names the missing one
// if a limit needs it.
void enable_v2_controllers(const std::string& ancestor) {
    std::istringstream available(read_control(ancestor, "cgroup.controllers"));
    std::vector<std::string> controllers;
    std::string all;
    for (std::string name; available >> name;) {
        controllers.push_back("+" + name);
        all += (all.empty() ? "" : " ") + controllers.back();
    }
    if (controllers.empty()) {
        return;
    }
    try {
        write_control(ancestor, "cgroup.subtree_control", all);
        return;
    } catch (const Error&) {
    }
    for (const std::string& controller : controllers) {
        try {
            write_control(ancestor, "cgroup.subtree_control", controller);
        } catch (const Error& error) {
            log::debug(std::string("cgroup v2 controller not enabled: ") + error.what());
        }
    }
}

bool has_cpuset(const Hierarchy& hierarchy) {
    return std::find(hierarchy.controllers.begin(), hierarchy.controllers.end(), "cpuset") !=
           hierarchy.controllers.end();
}

// Makes `directory` and its missing parents below the hierarchy's mount point, recording each
// new directory in `created_directories` (outermost first).
void make_directories(const Hierarchy& hierarchy, const std::string& directory,
                      std::vector<std::string>& created_directories) {
    std::string relative = directory.substr(hierarchy.mount_point.size());
    std::string current = hierarchy.mount_point;
    size_t start = 1;
    while (start <= relative.size()) {
        size_t end = relative.find('/', start);
        if (end == std::string::npos) {
            end = relative.size();
        }
        if (hierarchy.unified) {
            enable_v2_controllers(current);
        }
        current += relative.substr(start - 1, end - start + 1);
        start = end + 1;
        if (mkdir(current.c_str(), 0755) != 0) {
            if (errno != EEXIST) {
                throw_errno("create cgroup " + quote(current));
            }
            continue;
        }
        created_directories.push_back(current);
        if (has_cpuset(hierarchy)) {
            inherit_cpuset(current, hierarchy.mount_point);
        }
    }
}

// Makes the container's cgroup `directory` in `hierarchy` and returns whether it existed. On v1
// the parent usually exists, so one mkdir settles it. The walk from the mount point runs only
// when the parent is missing, and always on v2, where each parent must delegate controllers.
bool make_cgroup_directory(const Hierarchy& hierarchy, const std::string& directory,
                           std::vector<std::string>& created_directories) {
    if (!hierarchy.unified) {
        if (mkdir(directory.c_str(), 0755) == 0) {
            created_directories.push_back(directory);
            if (has_cpuset(hierarchy)) {
                inherit_cpuset(directory, hierarchy.mount_point);
            }
            return false;
        }
        if (errno == EEXIST) {
            return true;
        }
    }
    bool existed = path_exists(directory);
    make_directories(hierarchy, directory, created_directories);
    return existed;
}

void sleep_briefly(std::chrono::milliseconds duration) {
    struct timespec delay {};
    delay.tv_nsec = static_cast<long>(std::chrono::nanoseconds(duration).count());
    nanosleep(&delay, nullptr);
}

std::vector<std::string> child_directories(const std::string& directory) {
    std::vector<std::string> children;
    DIR* dir = opendir(directory.c_str());
    if (dir == nullptr) {
        return children;
    }
    while (struct dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (entry->d_type == DT_DIR && name != "." && name != "..") {
            children.push_back(join_path(directory, name));
        }
    }
    closedir(dir);
    return children;
}

// Removes `directory` and the cgroups below it, deepest first. rmdir fails with EBUSY while a
// killed process has not finished exiting, so it is retried until kRemoveTimeout passes.
void remove_tree(const std::string& directory) {
    // A container's cgroup rarely has cgroups below it, so the directory is listed only when the
    // first rmdir fails.
    if (rmdir(directory.c_str()) == 0 || errno == ENOENT) {
        return;
    }
    for (const std::string& child : child_directories(directory)) {
        remove_tree(child);
    }
    auto deadline = std::chrono::steady_clock::now() + kRemoveTimeout;
    std::chrono::milliseconds delay{1};
    while (rmdir(directory.c_str()) != 0) {
        if (errno == ENOENT) {
            return;
        }
        if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline) {
            throw_errno("remove cgroup " + quote(directory));
        }
        sleep_briefly(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds{50});
    }
}

// Marks the container's cgroup in `hierarchy` as made by create, so that delete removes it.
void record_created(const Hierarchy& hierarchy, CreatedCgroup& result) {
    for (const std::string& key : hierarchy.keys()) {
        result.created_paths[key] = result.paths.at(key);
    }
}

void remove_created(const std::vector<std::string>& created_directories) {
    for (auto it = created_directories.rbegin(); it != created_directories.rend(); ++it) {
        if (rmdir(it->c_str()) != 0 && errno != ENOENT) {
            log::warning("remove cgroup " + quote(*it) +
                         " after a failed create: " + errno_text(errno));
        }
    }
}

// Rejects, at create, a cgroup that already has processes or is frozen, because delete would
// kill those processes and the container could not run. runc 1.1.5 rejects only a frozen
// cgroup and warns about processes. The frozen message contains runc's wording, which tests
// and scripts match.
// NOTE: concurrent creates with one cgroupsPath all pass this check before any of their inits
// has joined, so several containers can share the cgroup (2 to 6 of 10 in a test on a 2-core VM).
// Closing that needs a lock held from this check until init has joined. The check also lists
// only the hierarchy that list_pids reads, so processes in another hierarchy's cgroup pass it.
void check_existing_cgroup(const CgroupPaths& paths) {
    std::vector<pid_t> pids = list_pids(paths);
    if (!pids.empty()) {
        throw_error("container's cgroup " + quote(paths.begin()->second) +
                        " is not empty: " + std::to_string(pids.size()) + " process(es) found",
                    ErrorKind::already_exists);
    }
    if (is_frozen(paths)) {
        throw_error("container's cgroup unexpectedly frozen: " + quote(paths.begin()->second) +
                        " (resume or remove it first)",
                    ErrorKind::wrong_state);
    }
}

// Returns the key of the hierarchy whose cgroups systemd names units by: cgroup v2, else the
// v1 name=systemd hierarchy.
std::optional<std::string> systemd_tracked_key(const CgroupPaths& paths) {
    for (const char* key : {"", "name=systemd"}) {
        if (paths.count(key) != 0) {
            return key;
        }
    }
    return std::nullopt;
}

// Stops the systemd driver's scope when the cgroup is one. A failure is logged and not raised,
// so that destroy still removes what is left of the directories.
void stop_systemd_scope(const CgroupPaths& paths) {
    std::optional<std::string> key = systemd_tracked_key(paths);
    if (!key) {
        return;
    }
    const std::string& directory = paths.at(*key);
    std::string unit = directory.substr(directory.find_last_of('/') + 1);
    constexpr std::string_view kScopeSuffix = ".scope";
    if (unit.size() <= kScopeSuffix.size() ||
        unit.compare(unit.size() - kScopeSuffix.size(), kScopeSuffix.size(), kScopeSuffix) != 0 ||
        !systemd_running()) {
        return;
    }
    try {
        std::string cgroup = relative_paths({{*key, directory}}).at(*key);
        stop_unit_owning(unit, cgroup);
    } catch (const Error& error) {
        log::warning("stop systemd unit " + quote(unit) + ": " + error.what());
    }
}

// The systemd driver: systemd creates the scope's cgroup with `pid` in it, then the v1
// hierarchies systemd does not manage get the same path, made here.
CreatedCgroup create_systemd_scope(const CgroupRequest& request, pid_t pid,
                                   const BeforeJoin& before_join) {
    Layout layout = current_layout();
    SystemdUnit unit = systemd_unit(request);
    CreatedCgroup result;
    result.paths = resolve_paths(layout, request);
    bool started = start_transient_unit(unit.name, scope_properties(unit, request, pid));
    std::vector<std::string> created_directories;
    try {
        if (!started) {
            // As runc does, an existing unit is joined, but only when it is empty.
            check_existing_cgroup(result.paths);
        }
        for (const Hierarchy& hierarchy : layout.hierarchies) {
            const std::string& directory = result.paths.at(hierarchy.keys().front());
            // systemd's own cgroups are left as systemd set them up.
            if (!path_exists(directory)) {
                make_directories(hierarchy, directory, created_directories);
                record_created(hierarchy, result);
            }
        }
        result.relative_paths = relative_paths_in(layout, result.paths);
        result.created = started;
        if (started) {
            result.created_paths = result.paths;
        }
        if (before_join) {
            before_join(result);
        }
        add_process(result.paths, pid);
    } catch (...) {
        remove_created(created_directories);
        if (started) {
            stop_systemd_scope(result.paths);
        }
        throw;
    }
    return result;
}

// The `tasks` file of each v1 hierarchy in `paths`.
std::vector<std::string> v1_join_files(CgroupPaths paths) {
    paths.erase("");
    std::vector<std::string> files;
    for (const std::string& directory : unique_directories(paths)) {
        files.push_back(join_path(directory, "tasks"));
    }
    return files;
}

CgroupPaths unified_only(const CgroupPaths& paths) {
    auto unified = paths.find("");
    return unified == paths.end() ? CgroupPaths{} : CgroupPaths{*unified};
}

}  // namespace

CreatedCgroup create(const CgroupRequest& request, pid_t pid, const BeforeJoin& before_join) {
    if (request.systemd) {
        return create_systemd_scope(request, pid, before_join);
    }
    Layout layout = current_layout();
    CreatedCgroup result;
    result.paths = resolve_paths(layout, request);
    bool any_existed = false;
    std::vector<std::string> created_directories;
    try {
        for (const Hierarchy& hierarchy : layout.hierarchies) {
            const std::string& directory = result.paths.at(hierarchy.keys().front());
            bool existed = make_cgroup_directory(hierarchy, directory, created_directories);
            any_existed = any_existed || existed;
            if (!existed) {
                record_created(hierarchy, result);
            }
        }
        if (any_existed) {
            check_existing_cgroup(result.paths);
        }
        result.relative_paths = relative_paths_in(layout, result.paths);
        result.created = !any_existed;
        if (request.process_joins_v1) {
            result.join_files = v1_join_files(result.paths);
        }
        if (before_join) {
            before_join(result);
        }
        add_process(request.process_joins_v1 ? unified_only(result.paths) : result.paths, pid);
    } catch (...) {
        remove_created(created_directories);
        throw;
    }
    return result;
}

void add_process(const CgroupPaths& paths, pid_t pid) {
    for (const std::string& directory : unique_directories(paths)) {
        try {
            write_control(directory, "cgroup.procs", std::to_string(pid));
        } catch (const Error& error) {
            throw error.with_context("add process " + std::to_string(pid) + " to cgroup " +
                                     quote(directory));
        }
    }
}

void destroy(const CgroupPaths& paths) {
    if (!list_pids(paths).empty()) {
        signal_all(paths, SIGKILL);
    }
    // After the kill, because stopping a scope sends SIGTERM and waits up to its stop timeout
    // (90 s by default) before SIGKILL.
    stop_systemd_scope(paths);
    for (const std::string& directory : unique_directories(paths)) {
        remove_tree(directory);
    }
}

std::map<std::string, std::string> relative_paths(const CgroupPaths& paths) {
    return relative_paths_in(current_layout(), paths);
}

}  // namespace ocirun::cgroups
