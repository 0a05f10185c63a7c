// Listing and signalling the processes of a container's cgroup.
#include <dirent.h>
#include <signal.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"

namespace ocirun::cgroups {
namespace {

// Every hierarchy contains the same processes, so one is enough. These v1 controllers are
// created on every host that has them, and "" is cgroup v2.
std::string tracking_directory(const CgroupPaths& paths) {
    for (const char* key : {"pids", "freezer", "memory", "devices", "cpu", ""}) {
        if (auto it = paths.find(key); it != paths.end()) {
            return it->second;
        }
    }
    return paths.empty() ? "" : paths.begin()->second;
}

void collect_pids(const std::string& directory, std::vector<pid_t>& pids) {
    std::string procs;
    try {
        procs = read_control(directory, "cgroup.procs");
    } catch (const Error& error) {
        if (error.error_number() == ENOENT) {
            return;  // removed meanwhile, or never created
        }
        throw;
    }
    std::istringstream in(procs);
    pid_t pid = 0;
    while (in >> pid) {
        pids.push_back(pid);
    }
    DIR* dir = opendir(directory.c_str());
    if (dir == nullptr) {
        return;
    }
    std::vector<std::string> children;
    while (struct dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (entry->d_type == DT_DIR && name != "." && name != "..") {
            children.push_back(join_path(directory, name));
        }
    }
    closedir(dir);
    for (const std::string& child : children) {
        collect_pids(child, pids);
    }
}

// True when every path is the cgroup v2 hierarchy, where cgroup.kill reaches every process.
bool only_v2(const CgroupPaths& paths) {
    return paths.size() == 1 && paths.count("") == 1;
}

}  // namespace

std::vector<pid_t> list_pids(const CgroupPaths& paths) {
    std::vector<pid_t> pids;
    std::string directory = tracking_directory(paths);
    if (!directory.empty()) {
        collect_pids(directory, pids);
    }
    return pids;
}

void signal_all(const CgroupPaths& paths, int signal) {
    if (signal == SIGKILL && only_v2(paths)) {
        const std::string& directory = paths.at("");
        if (path_exists(join_path(directory, "cgroup.kill"))) {
            write_control(directory, "cgroup.kill", "1");
            return;
        }
    }
    bool was_frozen = is_frozen(paths);
    bool froze = false;
    if (!was_frozen) {
        try {
            freeze(paths);
            froze = true;
        } catch (const Error& error) {
            // Without a freezer a process can fork between listing and signalling; signalling
            // what was listed is the best that remains.
            log::warning(std::string("signal all processes without freezing: ") + error.what());
        }
    }
    int failure = 0;
    pid_t failed_pid = 0;
    for (pid_t pid : list_pids(paths)) {
        if (::kill(pid, signal) != 0 && errno != ESRCH && failure == 0) {
            failure = errno;
            failed_pid = pid;
        }
    }
    // A frozen v1 task does not act on SIGKILL until it is thawed, so a paused container is
    // thawed for SIGKILL; for other signals it stays paused as it was.
    if (froze || (was_frozen && signal == SIGKILL)) {
        thaw(paths);
    }
    if (failure != 0) {
        throw_errno(
            "send signal " + std::to_string(signal) + " to process " + std::to_string(failed_pid),
            failure);
    }
}

}  // namespace ocirun::cgroups
