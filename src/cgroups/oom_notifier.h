// OOM-kill notifications of a container's memory cgroup, as a file descriptor to poll.
#pragma once

#include <cstdint>
#include <string>

#include "cgroups/cgroups.h"

namespace ocirun::cgroups {

// On cgroup v1 an eventfd registered for memory.oom_control through cgroup.event_control. On
// cgroup v2 an inotify watch on memory.events, whose oom_kill counter separates OOM kills from
// the file's other changes.
class OomNotifier {
  public:
    // Opens the notification for the memory controller of `paths`. Throws Error (unsupported)
    // when the cgroup has no memory controller, and Error when registering fails.
    explicit OomNotifier(const CgroupPaths& paths);
    ~OomNotifier();
    OomNotifier(const OomNotifier&) = delete;
    OomNotifier& operator=(const OomNotifier&) = delete;

    // Readable (POLLIN) when a notification is pending.
    int fd() const { return fd_; }

    // Reads the pending notifications without blocking. Returns true when at least one OOM kill
    // happened since the last call: on v1 when the eventfd fired, on v2 when oom_kill grew.
    bool consume();

  private:
    bool v2_ = false;
    int fd_ = -1;
    int oom_control_fd_ = -1;  // v1: memory.oom_control, open for as long as the registration
    std::string directory_;
    uint64_t oom_kills_ = 0;  // v2: the last oom_kill value seen
};

}  // namespace ocirun::cgroups
