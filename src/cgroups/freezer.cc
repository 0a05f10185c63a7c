// Freezing and thawing a cgroup: the v1 freezer controller or cgroup v2's cgroup.freeze.
#include <time.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"

namespace ocirun::cgroups {
namespace {

// How long freeze and thaw wait for the kernel to report the new state. A task in an
// uninterruptible sleep can hold FREEZING for a while, so this is generous.
constexpr std::chrono::milliseconds kFreezeTimeout{5000};

struct Freezer {
    std::string directory;
    bool v2 = false;
};

std::optional<Freezer> find_freezer(const CgroupPaths& paths) {
    if (auto v1 = paths.find("freezer"); v1 != paths.end()) {
        return Freezer{v1->second, false};
    }
    if (auto v2 = paths.find(""); v2 != paths.end()) {
        if (path_exists(join_path(v2->second, "cgroup.freeze"))) {
            return Freezer{v2->second, true};
        }
    }
    return std::nullopt;
}

Freezer require_freezer(const CgroupPaths& paths) {
    std::optional<Freezer> freezer = find_freezer(paths);
    if (!freezer) {
        throw_error(
            "cannot freeze the cgroup: neither the v1 freezer controller nor the cgroup v2 "
            "cgroup.freeze file is available",
            ErrorKind::unsupported);
    }
    return *freezer;
}

// Returns the value of `key` in cgroup.events ("populated 1\nfrozen 0").
std::string read_event(const std::string& directory, const std::string& key) {
    std::string events = read_control(directory, "cgroup.events");
    size_t at = 0;
    while (at < events.size()) {
        size_t end = events.find('\n', at);
        if (end == std::string::npos) {
            end = events.size();
        }
        std::string line = events.substr(at, end - at);
        if (line.rfind(key + " ", 0) == 0) {
            return line.substr(key.size() + 1);
        }
        at = end + 1;
    }
    return "";
}

bool reached(const Freezer& freezer, bool frozen) {
    if (freezer.v2) {
        return read_event(freezer.directory, "frozen") == (frozen ? "1" : "0");
    }
    return read_control(freezer.directory, "freezer.state") == (frozen ? "FROZEN" : "THAWED");
}

void request_state(const Freezer& freezer, bool frozen) {
    if (freezer.v2) {
        write_control(freezer.directory, "cgroup.freeze", frozen ? "1" : "0");
    } else {
        write_control(freezer.directory, "freezer.state", frozen ? "FROZEN" : "THAWED");
    }
}

// Requests the state and polls until the kernel reports it. A v1 freeze is requested again on
// every poll, because the kernel can leave a cgroup in FREEZING when a task forks meanwhile.
bool change_state(const Freezer& freezer, bool frozen) {
    auto deadline = std::chrono::steady_clock::now() + kFreezeTimeout;
    long delay_us = 100;
    request_state(freezer, frozen);
    while (!reached(freezer, frozen)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        struct timespec delay {};
        delay.tv_nsec = delay_us * 1000;
        nanosleep(&delay, nullptr);
        delay_us = std::min(delay_us * 2, 10000L);
        if (!freezer.v2 && frozen) {
            request_state(freezer, frozen);
        }
    }
    return true;
}

}  // namespace

void freeze(const CgroupPaths& paths) {
    Freezer freezer = require_freezer(paths);
    if (!change_state(freezer, true)) {
        // Leave no half-frozen cgroup behind.
        change_state(freezer, false);
        throw_error("freeze cgroup " + quote(freezer.directory) + ": timed out after " +
                    std::to_string(kFreezeTimeout.count()) + " ms waiting for the kernel");
    }
}

void thaw(const CgroupPaths& paths) {
    Freezer freezer = require_freezer(paths);
    if (!change_state(freezer, false)) {
        throw_error("thaw cgroup " + quote(freezer.directory) + ": timed out after " +
                    std::to_string(kFreezeTimeout.count()) + " ms waiting for the kernel");
    }
}

bool is_frozen(const CgroupPaths& paths) {
    std::optional<Freezer> freezer = find_freezer(paths);
    if (!freezer || !path_exists(freezer->directory)) {
        return false;
    }
    if (freezer->v2) {
        return read_control(freezer->directory, "cgroup.freeze") == "1";
    }
    // FREEZING counts as frozen: a pause was requested and not undone.
    std::string state = read_control(freezer->directory, "freezer.state");
    return state == "FROZEN" || state == "FREEZING";
}

}  // namespace ocirun::cgroups
