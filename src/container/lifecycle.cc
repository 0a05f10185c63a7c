// Hooks in state.json, signalling init, and container teardown.
#include "container/lifecycle.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/cgroups.h"
#include "hooks/hooks.h"
#include "process/namespace_members.h"
#include "state/process_stat.h"

namespace ocirun::container {

namespace {

// How long delete waits for killed processes to exit before it removes the cgroup anyway.
constexpr int kKillTimeoutMs = 5000;

// Opens a pidfd for the process when it is still the one started at `start_time`; -1 when gone.
int open_pidfd(pid_t pid, uint64_t start_time) {
    if (pid <= 0) {
        return -1;
    }
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) {
        return -1;
    }
    // Checked after opening the pidfd, so the pidfd cannot name a process that reused the pid.
    auto stat = state::read_process_stat(pid);
    if (!stat || stat->start_time != start_time) {
        close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

bool is_alive(pid_t pid, uint64_t start_time) {
    if (pid <= 0) {
        return false;
    }
    auto stat = state::read_process_stat(pid);
    return stat && stat->state != 'Z' && stat->state != 'X' && stat->start_time == start_time;
}

std::vector<pid_t> container_pids(const state::ContainerState& state) {
    if (!state.cgroup_paths.empty()) {
        return cgroups::list_pids(state.cgroup_paths);
    }
    if (!is_alive(state.pid, state.pid_start_time)) {
        return {};
    }
    return process::container_members(state.pid);
}

void signal_all_processes(const state::ContainerState& state, int signal) {
    if (!state.cgroup_paths.empty()) {
        cgroups::signal_all(state.cgroup_paths, signal);
        return;
    }
    if (!is_alive(state.pid, state.pid_start_time)) {
        throw_error("container not running", ErrorKind::wrong_state);
    }
    process::signal_container_members(state.pid, signal);
}

nlohmann::json hooks_to_json(const std::vector<spec::Hook>& hooks) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& hook : hooks) {
        nlohmann::json entry = {{"path", hook.path}, {"args", hook.args}, {"env", hook.env}};
        if (hook.timeout) {
            entry["timeout"] = *hook.timeout;
        }
        list.push_back(entry);
    }
    return list;
}

std::vector<spec::Hook> hooks_from_json(const nlohmann::json& json) {
    std::vector<spec::Hook> hooks;
    for (const auto& entry : json) {
        spec::Hook hook;
        hook.path = entry.at("path").get<std::string>();
        hook.args = entry.at("args").get<std::vector<std::string>>();
        hook.env = entry.at("env").get<std::vector<std::string>>();
        if (entry.contains("timeout")) {
            hook.timeout = entry["timeout"].get<int64_t>();
        }
        hooks.push_back(hook);
    }
    return hooks;
}

std::vector<spec::Hook> stored_hooks(const state::ContainerState& state, const char* key) {
    if (!state.extra.contains(key)) {
        return {};
    }
    try {
        return hooks_from_json(state.extra[key]);
    } catch (const nlohmann::json::exception& error) {
        throw_error("state.json of container " + quote(state.id) + ": malformed " + key + ": " +
                    error.what());
    }
}

std::string hook_state(const state::ContainerState& state, state::Status status) {
    return state::oci_state(state, status).dump();
}

void signal_init(const state::ContainerState& state, int signal) {
    int pidfd = open_pidfd(state.pid, state.pid_start_time);
    if (pidfd < 0) {
        throw_error("container not running", ErrorKind::wrong_state);
    }
    long result = syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
    int saved = errno;
    close(pidfd);
    if (result != 0) {
        if (saved == ESRCH) {
            throw_error("container not running", ErrorKind::wrong_state);
        }
        throw_errno("send signal " + std::to_string(signal) + " to container init " +
                        std::to_string(state.pid),
                    saved);
    }
}

bool wait_for_exit(pid_t pid, uint64_t start_time, int timeout_ms) {
    int pidfd = open_pidfd(pid, start_time);
    if (pidfd < 0) {
        return true;
    }
    pollfd entry{pidfd, POLLIN, 0};
    int ready;
    do {
        ready = poll(&entry, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    close(pidfd);
    return ready > 0 || !is_alive(pid, start_time);
}

void destroy_container(const state::StateStore& store, const state::ContainerState& state) {
    bool own_pid_namespace = state.extra.value(kOwnPidNamespaceKey, false);
    // Without a cgroup, the other processes are found through init's namespaces, so they are
    // killed while init still runs.
    if (!own_pid_namespace && state.cgroup_paths.empty() &&
        is_alive(state.pid, state.pid_start_time)) {
        try {
            process::signal_container_members(state.pid, SIGKILL);
        } catch (const Error& error) {
            log::warning(std::string("kill the container's processes: ") + error.what());
        }
    }
    if (is_alive(state.pid, state.pid_start_time)) {
        try {
            signal_init(state, SIGKILL);
        } catch (const Error&) {
            // Gone meanwhile.
        }
        if (!wait_for_exit(state.pid, state.pid_start_time, kKillTimeoutMs)) {
            log::warning("container init " + std::to_string(state.pid) +
                         " did not exit after SIGKILL");
        }
    }
    // Without its own pid namespace the container's other processes outlive init.
    // Each process is in a cgroup of every hierarchy, so the cgroups ocirun made reach all of
    // the container's processes.
    cgroups::CgroupPaths created_paths = state::created_cgroup_paths(state);
    if (!own_pid_namespace && !created_paths.empty()) {
        try {
            cgroups::signal_all(created_paths, SIGKILL);
        } catch (const Error& error) {
            log::warning(std::string("kill the container's processes: ") + error.what());
        }
    }
    try {
        hooks::run_hooks_logging_failures(stored_hooks(state, kPoststopHooksKey), "poststop",
                                          hook_state(state, state::Status::stopped));
    } catch (const Error& error) {
        log::warning(error.what());
    }
    if (!created_paths.empty()) {
        cgroups::destroy(created_paths);
    }
    store.remove(state.id);
}

state::StateStore open_store(const std::string& root) {
    return state::StateStore(root);
}

}  // namespace ocirun::container
