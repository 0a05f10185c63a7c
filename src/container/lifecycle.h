// Steps the container commands share: the hooks kept in state.json, the OCI state given to
// hooks, waiting for a process to exit, and tearing a container down.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "spec/spec.h"
#include "state/container_state.h"
#include "state/state_store.h"

namespace ocirun::container {

// Keys of ContainerState::extra written by create.
inline constexpr const char* kPoststartHooksKey = "poststart_hooks";
inline constexpr const char* kPoststopHooksKey = "poststop_hooks";
inline constexpr const char* kOwnPidNamespaceKey = "own_pid_namespace";

nlohmann::json hooks_to_json(const std::vector<spec::Hook>& hooks);
std::vector<spec::Hook> hooks_from_json(const nlohmann::json& json);
// Returns the hooks stored in state.extra under `key`; none when absent.
std::vector<spec::Hook> stored_hooks(const state::ContainerState& state, const char* key);

// Returns the OCI state document as the text given to hooks on stdin.
std::string hook_state(const state::ContainerState& state, state::Status status);

// Sends `signal` to the container's init, checking that the pid still belongs to it (start
// time) and using a pidfd so that a reused pid is never signalled.
void signal_init(const state::ContainerState& state, int signal);

// True when `pid` runs and is still the process started at `start_time` (clock ticks after
// boot, as in /proc/PID/stat).
bool is_alive(pid_t pid, uint64_t start_time);

// Returns the host pids of the container's processes: those of its cgroup, or for a container
// without one (rootless with no delegated cgroup) those of init's namespaces while init runs.
std::vector<pid_t> container_pids(const state::ContainerState& state);

// Sends `signal` to every process of the container, found as container_pids finds them.
// Throws Error(wrong_state) for a container without a cgroup whose init has exited.
void signal_all_processes(const state::ContainerState& state, int signal);

// Waits up to `timeout_ms` for the process to exit; returns true when it is gone.
bool wait_for_exit(pid_t pid, uint64_t start_time, int timeout_ms);

// Kills what is left of the container, runs poststop hooks (failures are warnings), removes
// the cgroup when create made it, and removes the state directory.
void destroy_container(const state::StateStore& store, const state::ContainerState& state);

// Returns the StateStore of `--root`.
state::StateStore open_store(const std::string& root);

}  // namespace ocirun::container
