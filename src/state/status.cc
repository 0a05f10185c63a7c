// The live status of a container, computed from its process, exec.fifo and freezer cgroup.
#include <sys/stat.h>

#include <string>

#include "base/file.h"
#include "state/container_state.h"
#include "state/process_stat.h"

namespace ocirun::state {

namespace {

std::string read_first_word(const std::string& path) {
    std::optional<std::string> text = read_file(path);
    if (!text) {
        return {};
    }
    size_t start = text->find_first_not_of(" \t\n");
    if (start == std::string::npos) {
        return {};
    }
    size_t end = text->find_first_of(" \t\n", start);
    return text->substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// True when the container's cgroup is frozen: `freezer.state` on a v1 freezer hierarchy, or
// `cgroup.freeze` on the unified hierarchy. An unreadable file counts as not frozen.
bool is_frozen(const ContainerState& state) {
    auto freezer = state.cgroup_paths.find("freezer");
    if (freezer != state.cgroup_paths.end() && !freezer->second.empty()) {
        return read_first_word(freezer->second + "/freezer.state") == "FROZEN";
    }
    auto unified = state.cgroup_paths.find("");
    if (unified != state.cgroup_paths.end() && !unified->second.empty()) {
        return read_first_word(unified->second + "/cgroup.freeze") == "1";
    }
    return false;
}

bool process_alive(const ContainerState& state) {
    // NOTE: a state saved before clone has pid 0 and is reported as stopped, because the
    // state file alone cannot tell a create in progress from one that failed.
    auto stat = read_process_stat(state.pid);
    if (!stat || stat->state == 'Z' || stat->state == 'X' || stat->state == 'x') {
        return false;
    }
    return stat->start_time == state.pid_start_time;
}

}  // namespace

Status current_status(const ContainerState& state, const std::string& container_dir) {
    if (!process_alive(state)) {
        return Status::stopped;
    }
    if (is_frozen(state)) {
        return Status::paused;
    }
    struct stat fifo {};
    if (lstat((container_dir + "/exec.fifo").c_str(), &fifo) == 0) {
        return Status::created;
    }
    return Status::running;
}

}  // namespace ocirun::state
