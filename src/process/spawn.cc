// Runtime side of the container's init: clone3 and the create steps of the sync protocol.
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/log.h"
#include "process/container_process.h"
#include "process/id_mapping.h"
#include "process/init_stage.h"
#include "process/namespaces.h"
#include "process/sync_protocol.h"

namespace ocirun::process {

namespace {

bool joins(const spec::Namespace& ns) {
    return !ns.path.empty();
}

// Moves `fd` to a number at or above `minimum`, so that it cannot land in the range of fds
// passed to the container.
int move_fd_above(int fd, int minimum) {
    if (fd >= minimum) {
        return fd;
    }
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, minimum);
    if (moved < 0) {
        throw_errno("duplicate fd " + std::to_string(fd));
    }
    close(fd);
    return moved;
}

void reap(pid_t pid) {
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

int first_unpassed_fd(const InitRequest& request) {
    return 3 + request.listen_fds + request.preserve_fds;
}

bool needs_init_fork(const spec::Linux& linux_config) {
    bool new_user = false;
    bool any_joined = false;
    for (const auto& ns : linux_config.namespaces) {
        if (ns.type == spec::NamespaceType::user) {
            if (joins(ns)) {
                return true;
            }
            new_user = true;
            continue;
        }
        if (ns.type == spec::NamespaceType::pid && joins(ns)) {
            return true;
        }
        if (ns.type == spec::NamespaceType::time) {
            return true;
        }
        any_joined = any_joined || joins(ns);
    }
    return new_user && any_joined;
}

bool reports_init_pid(const spec::Linux& linux_config) {
    return needs_init_fork(linux_config) || linux_config.has_namespace(spec::NamespaceType::user);
}

int clone_namespace_flags(const spec::Linux& linux_config) {
    if (needs_init_fork(linux_config)) {
        return 0;
    }
    int flags = 0;
    for (const auto& ns : linux_config.namespaces) {
        // The cgroup namespace is made only after the runtime moved the process into its
        // cgroup, so that the cgroup becomes the namespace's root.
        if (!joins(ns) && ns.type != spec::NamespaceType::cgroup) {
            flags |= clone_flag(ns.type);
        }
    }
    return flags;
}

ContainerProcess::ContainerProcess(const InitRequest& request, pid_t first_pid, int sync_fd)
    : request_(&request), first_pid_(first_pid), sync_fd_(sync_fd) {}

ContainerProcess::ContainerProcess(ContainerProcess&& other) noexcept
    : request_(other.request_),
      first_pid_(other.first_pid_),
      init_pid_(other.init_pid_),
      sync_fd_(other.sync_fd_),
      terminal_master_(std::move(other.terminal_master_)) {
    other.sync_fd_ = -1;
    other.first_pid_ = 0;
    other.init_pid_ = 0;
}

ContainerProcess::~ContainerProcess() {
    if (sync_fd_ >= 0) {
        close(sync_fd_);
    }
}

ContainerProcess ContainerProcess::clone(const InitRequest& request) {
    auto [parent_fd, child_fd] = make_sync_socket_pair();
    int minimum = first_unpassed_fd(request);
    try {
        parent_fd = move_fd_above(parent_fd, minimum);
        child_fd = move_fd_above(child_fd, minimum);
    } catch (...) {
        close(parent_fd);
        close(child_fd);
        throw;
    }

    clone_args args;
    std::memset(&args, 0, sizeof(args));
    args.flags = static_cast<uint64_t>(clone_namespace_flags(*request.spec->linux_config));
    args.exit_signal = SIGCHLD;
    // Flush so that the child does not write the runtime's buffered output a second time.
    fflush(nullptr);
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0) {
        int saved = errno;
        close(parent_fd);
        close(child_fd);
        throw_errno("clone container process", saved);
    }
    if (pid == 0) {
        close(parent_fd);
        run_cloned_process(request, child_fd);
    }
    close(child_fd);
    return ContainerProcess(request, static_cast<pid_t>(pid), parent_fd);
}

void ContainerProcess::send_start(const StartMessage& message) {
    SyncSocket(sync_fd_).send(SyncMessage::start, encode_start_message(message));
}

pid_t ContainerProcess::wait_for_init_pid() {
    const spec::Linux& linux_config = *request_->spec->linux_config;
    if (!reports_init_pid(linux_config)) {
        init_pid_ = first_pid_;
        return init_pid_;
    }
    SyncSocket sync(sync_fd_);
    for (;;) {
        SyncFrame frame = sync.receive();
        switch (frame.type) {
            case SyncMessage::warning:
            case SyncMessage::debug:
                log_message_frame(frame);
                continue;
            case SyncMessage::error:
                throw Error(frame.payload, frame.error_number, frame.kind);
            case SyncMessage::id_map_request:
                write_container_id_maps(first_pid_, linux_config.uid_mappings,
                                        linux_config.gid_mappings);
                sync.send(SyncMessage::id_map_done);
                continue;
            case SyncMessage::init_pid:
                if (frame.payload.empty()) {
                    init_pid_ = first_pid_;
                } else {
                    init_pid_ = static_cast<pid_t>(std::stol(frame.payload));
                    // The first process exits once it has forked init, which is our child
                    // too (CLONE_PARENT).
                    reap(first_pid_);
                    first_pid_ = init_pid_;
                }
                return init_pid_;
            default:
                throw_error(std::string("unexpected sync message ") +
                            sync_message_name(frame.type) + " before init_pid");
        }
    }
}

void ContainerProcess::wait_for_hooks_request() {
    SyncSocket(sync_fd_).expect(SyncMessage::run_hooks);
}

void ContainerProcess::hooks_done(const std::string& state_json) {
    SyncSocket(sync_fd_).send(SyncMessage::hooks_done, state_json);
}

void ContainerProcess::wait_ready(const std::function<void(int notify_fd)>& on_seccomp_fd) {
    SyncSocket sync(sync_fd_);
    for (;;) {
        terminal::UniqueFd attached;
        SyncFrame frame = sync.receive(&attached);
        if (log_message_frame(frame)) {
            continue;
        }
        if (frame.type == SyncMessage::error) {
            throw Error(frame.payload, frame.error_number, frame.kind);
        }
        if (frame.type == SyncMessage::ready) {
            break;
        }
        if (!attached.valid() ||
            (frame.type != SyncMessage::terminal && frame.type != SyncMessage::seccomp_fd)) {
            throw_error(std::string("unexpected sync message ") + sync_message_name(frame.type) +
                        " before ready");
        }
        if (frame.type == SyncMessage::terminal) {
            terminal_master_ = std::move(attached);
            continue;
        }
        on_seccomp_fd(attached.get());
        sync.send(SyncMessage::seccomp_done);
    }
    close(sync_fd_);
    sync_fd_ = -1;
}

void ContainerProcess::kill() {
    if (init_pid_ > 0 && init_pid_ != first_pid_) {
        ::kill(init_pid_, SIGKILL);
        reap(init_pid_);
    }
    if (first_pid_ > 0) {
        ::kill(first_pid_, SIGKILL);
        reap(first_pid_);
    }
    first_pid_ = 0;
    init_pid_ = 0;
}

}  // namespace ocirun::process
