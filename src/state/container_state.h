// What ocirun records about one container in its state directory, and the OCI state it reports.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ocirun::state {

// The runtime-spec statuses plus `creating` while create is still running.
enum class Status { creating, created, running, paused, stopped };

const char* status_name(Status status);

// The state file `state.json` in the container's directory. Written atomically by
// StateStore::save; fields are only added, so an older ocirun can read a newer file.
struct ContainerState {
    std::string id;
    std::string bundle;  // absolute
    std::string rootfs;  // absolute path of the root filesystem on the host
    pid_t pid = 0;       // host pid of the container's init process, 0 before clone
    // Start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), so that a
    // reused pid is never taken for the container's process.
    uint64_t pid_start_time = 0;
    std::string created;  // RFC 3339 with nanoseconds, UTC
    uid_t owner = 0;      // uid of the user who created the container
    std::map<std::string, std::string> annotations;
    // Absolute cgroup directories by controller name ("memory", "pids", ...; "" for the
    // unified v2 hierarchy), used by kill --all, ps, pause and delete.
    std::map<std::string, std::string> cgroup_paths;
    bool cgroup_created = false;  // true when ocirun made the cgroup in every hierarchy
    // When cgroup_created is false: the entries of cgroup_paths whose directory ocirun made, and
    // so removes at delete. The cgroup existed in the other hierarchies and is left there.
    std::map<std::string, std::string> cgroup_created_paths;
    bool systemd_cgroup = false;
    bool rootless = false;
    // Internals owned by the container module (namespace paths, flags); opaque to the store.
    nlohmann::json extra = nlohmann::json::object();
};

// Returns the cgroup directories by controller that ocirun made for the container and removes at
// delete: all of cgroup_paths when cgroup_created, else cgroup_created_paths.
std::map<std::string, std::string> created_cgroup_paths(const ContainerState& state);

nlohmann::json to_json(const ContainerState& state);
// Throws Error naming the field when the file is malformed.
ContainerState from_json(const nlohmann::json& json);

// Returns the live status: stopped when the process is gone, a zombie, or a reused pid;
// created while `exec.fifo` exists in `container_dir`; paused when the freezer cgroup is frozen;
// running otherwise.
Status current_status(const ContainerState& state, const std::string& container_dir);

// Returns the OCI state document (state-schema.json): ociVersion, id, status, pid, bundle and
// annotations (omitted when empty), plus runc's extra fields `rootfs`, `created` and `owner`, in
// the order and form `runc state` 1.1.5 prints them. The pid is 0 when stopped and the owner is
// empty, as in runc; `list` fills the owner in itself.
nlohmann::ordered_json oci_state(const ContainerState& state, Status status);

// Formats a time as `created` stores it: RFC 3339 in UTC with nanoseconds, trailing zeros of the
// fraction dropped, as Go's time.RFC3339Nano writes it (runc's format).
std::string format_created(const timespec& time);

// Returns the current real time formatted by format_created.
std::string created_now();

}  // namespace ocirun::state
