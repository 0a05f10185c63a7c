// The state file's JSON form, the OCI state document and the `created` timestamp.
#include "state/container_state.h"

#include <chrono>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "base/error.h"
#include "base/version.h"

namespace ocirun::state {

namespace {

// Converts a JSON integer to T, throwing Error when it is not an integer or does not fit:
// nlohmann's own conversion casts floats and large numbers without a check.
template <typename T>
T read_integer(const nlohmann::json& value, const char* name) {
    bool fits = false;
    if (value.is_number_unsigned()) {
        fits = std::in_range<T>(value.get<uint64_t>());
    } else if (value.is_number_integer()) {
        fits = std::in_range<T>(value.get<int64_t>());
    }
    if (!fits) {
        throw_error(std::string("invalid field `") + name + "` in state.json: " + value.dump() +
                    " is not an integer in range");
    }
    return value.is_number_unsigned() ? static_cast<T>(value.get<uint64_t>())
                                      : static_cast<T>(value.get<int64_t>());
}

// Reads an optional field, throwing Error naming the field when it has the wrong type.
template <typename T>
void read_field(const nlohmann::json& json, const char* name, T& out) {
    auto found = json.find(name);
    if (found == json.end() || found->is_null()) {
        return;
    }
    try {
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            out = read_integer<T>(*found, name);
        } else {
            found->get_to(out);
        }
    } catch (const nlohmann::json::exception& e) {
        throw_error(std::string("invalid field `") + name + "` in state.json: " + e.what());
    }
}

template <typename T>
void read_required_field(const nlohmann::json& json, const char* name, T& out) {
    if (!json.contains(name)) {
        throw_error(std::string("missing field `") + name + "` in state.json");
    }
    read_field(json, name, out);
}

}  // namespace

const char* status_name(Status status) {
    switch (status) {
        case Status::creating:
            return "creating";
        case Status::created:
            return "created";
        case Status::running:
            return "running";
        case Status::paused:
            return "paused";
        case Status::stopped:
            return "stopped";
    }
    return "unknown";
}

std::map<std::string, std::string> created_cgroup_paths(const ContainerState& state) {
    return state.cgroup_created ? state.cgroup_paths : state.cgroup_created_paths;
}

nlohmann::json to_json(const ContainerState& state) {
    return nlohmann::json{
        {"id", state.id},
        {"bundle", state.bundle},
        {"rootfs", state.rootfs},
        {"pid", state.pid},
        {"pid_start_time", state.pid_start_time},
        {"created", state.created},
        {"owner", state.owner},
        {"annotations", state.annotations},
        {"cgroup_paths", state.cgroup_paths},
        {"cgroup_created", state.cgroup_created},
        {"cgroup_created_paths", state.cgroup_created_paths},
        {"systemd_cgroup", state.systemd_cgroup},
        {"rootless", state.rootless},
        {"extra", state.extra},
    };
}

ContainerState from_json(const nlohmann::json& json) {
    if (!json.is_object()) {
        throw_error("invalid state.json: expected an object");
    }
    ContainerState state;
    read_required_field(json, "id", state.id);
    read_required_field(json, "bundle", state.bundle);
    read_field(json, "rootfs", state.rootfs);
    read_required_field(json, "pid", state.pid);
    read_field(json, "pid_start_time", state.pid_start_time);
    read_field(json, "created", state.created);
    read_field(json, "owner", state.owner);
    read_field(json, "annotations", state.annotations);
    read_field(json, "cgroup_paths", state.cgroup_paths);
    read_field(json, "cgroup_created", state.cgroup_created);
    read_field(json, "cgroup_created_paths", state.cgroup_created_paths);
    read_field(json, "systemd_cgroup", state.systemd_cgroup);
    read_field(json, "rootless", state.rootless);
    read_field(json, "extra", state.extra);
    return state;
}

nlohmann::ordered_json oci_state(const ContainerState& state, Status status) {
    nlohmann::ordered_json json;
    json["ociVersion"] = kSpecVersion;
    json["id"] = state.id;
    json["pid"] = status == Status::stopped ? 0 : state.pid;
    json["status"] = status_name(status);
    json["bundle"] = state.bundle;
    json["rootfs"] = state.rootfs;
    json["created"] = state.created;
    if (!state.annotations.empty()) {
        json["annotations"] = state.annotations;
    }
    json["owner"] = "";
    return json;
}

std::string format_created(const timespec& time) {
    // Calendar arithmetic instead of gmtime_r: glibc's gmtime_r loads /etc/localtime on first
    // use, a file read that a UTC timestamp does not need.
    using namespace std::chrono;
    sys_seconds instant{seconds{time.tv_sec}};
    sys_days day = floor<days>(instant);
    year_month_day date{day};
    hh_mm_ss clock{instant - day};
    char seconds_text[64];
    std::snprintf(seconds_text, sizeof(seconds_text), "%04d-%02u-%02uT%02d:%02d:%02d",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    std::string text = seconds_text;
    if (time.tv_nsec != 0) {
        char fraction[16];
        std::snprintf(fraction, sizeof(fraction), ".%09ld", time.tv_nsec);
        std::string digits = fraction;
        digits.erase(digits.find_last_not_of('0') + 1);
        text += digits;
    }
    return text + "Z";
}

std::string created_now() {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return format_created(now);
}

}  // namespace ocirun::state
