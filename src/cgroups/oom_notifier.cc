// OOM-kill notifications of a container's memory cgroup, as a file descriptor to poll.
#include "cgroups/oom_notifier.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "cgroups/files.h"
#include "cgroups/stats_files.h"

namespace ocirun::cgroups {
namespace {

uint64_t read_oom_kills(const std::string& directory) {
    return stats_files::value_of(stats_files::read_key_values(directory, "memory.events"),
                                 "oom_kill");
}

// Drains a non-blocking fd; returns true when anything was read.
bool drain(int fd) {
    bool any = false;
    char buffer[4096];
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof buffer);
        if (count > 0) {
            any = true;
            continue;
        }
        if (count < 0 && errno == EINTR) {
            continue;
        }
        return any;
    }
}

}  // namespace

OomNotifier::OomNotifier(const CgroupPaths& paths) {
    if (auto memory = paths.find("memory"); memory != paths.end()) {
        directory_ = memory->second;
        std::string oom_control = join_path(directory_, "memory.oom_control");
        oom_control_fd_ = open(oom_control.c_str(), O_RDONLY | O_CLOEXEC);
        if (oom_control_fd_ < 0) {
            throw_errno("open " + quote(oom_control));
        }
        fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd_ < 0) {
            int err = errno;
            close(oom_control_fd_);
            throw_errno("create an eventfd for OOM notifications", err);
        }
        try {
            write_control(directory_, "cgroup.event_control",
                          std::to_string(fd_) + " " + std::to_string(oom_control_fd_));
        } catch (const Error&) {
            close(fd_);
            close(oom_control_fd_);
            throw;
        }
        return;
    }
    auto v2 = paths.find("");
    if (v2 == paths.end() || !path_exists(join_path(v2->second, "memory.events"))) {
        throw_error(
            "OOM notifications need the memory controller, and the container's cgroup has "
            "none",
            ErrorKind::unsupported);
    }
    v2_ = true;
    directory_ = v2->second;
    fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd_ < 0) {
        throw_errno("create an inotify instance for OOM notifications");
    }
    std::string events = join_path(directory_, "memory.events");
    if (inotify_add_watch(fd_, events.c_str(), IN_MODIFY) < 0) {
        int err = errno;
        close(fd_);
        throw_errno("watch " + quote(events), err);
    }
    oom_kills_ = read_oom_kills(directory_);
}

OomNotifier::~OomNotifier() {
    if (fd_ >= 0) {
        close(fd_);
    }
    if (oom_control_fd_ >= 0) {
        close(oom_control_fd_);
    }
}

bool OomNotifier::consume() {
    bool fired = drain(fd_);
    if (!v2_) {
        // The kernel also signals the eventfd when the cgroup is removed, which is no OOM kill.
        return fired && path_exists(join_path(directory_, "cgroup.event_control"));
    }
    // Read even without an inotify event, because the kernel raises it asynchronously and the
    // counter may already have grown when the container's exit is noticed first.
    if (!path_exists(join_path(directory_, "memory.events"))) {
        return false;
    }
    uint64_t kills = read_oom_kills(directory_);
    bool grew = kills > oom_kills_;
    oom_kills_ = kills;
    return grew;
}

}  // namespace ocirun::cgroups
