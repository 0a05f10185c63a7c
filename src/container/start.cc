// `start`: release init from exec.fifo, then run poststart hooks.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/error.h"
#include "base/log.h"
#include "container/create_container.h"
#include "container/lifecycle.h"
#include "container/notify_socket.h"
#include "container/operations.h"
#include "hooks/hooks.h"
#include "state/state_store.h"

namespace ocirun::container {

namespace {

class ScopedFd {
  public:
    explicit ScopedFd(int fd) : fd_(fd) {}
    ScopedFd(const ScopedFd&) = delete;
    ScopedFd& operator=(const ScopedFd&) = delete;
    ~ScopedFd() {
        if (fd_ >= 0) {
            close(fd_);
        }
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

void check_startable(const state::ContainerState& state, state::Status status) {
    switch (status) {
        case state::Status::created:
            return;
        case state::Status::stopped:
            throw_error("cannot start a container that has stopped", ErrorKind::wrong_state);
        case state::Status::running:
            throw_error("cannot start an already running container", ErrorKind::wrong_state);
        default:
            throw_error("cannot start container " + quote(state.id) + " in state " +
                            state::status_name(status),
                        ErrorKind::wrong_state);
    }
}

// Reads init's report from exec.fifo: "0" before execve, or "1" and a message when it failed.
// Watches init's pidfd meanwhile, so that a dead init is noticed instead of waited for forever.
//
// The pidfd is opened before the fifo, because opening the fifo lets init execve. A short-lived
// process can then exit and be reaped by its subreaper (conmon, the shim) before a later
// pidfd_open, which would fail with ESRCH although the container started.
void release_init(const std::string& fifo_path, pid_t pid) {
    ScopedFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.get() < 0 && errno == ESRCH) {
        throw_error("container init exited before it was started");
    }
    if (pidfd.get() < 0) {
        throw_errno("pidfd_open of container init " + std::to_string(pid));
    }
    ScopedFd fifo(open(fifo_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fifo.get() < 0) {
        throw_errno("open exec fifo " + quote(fifo_path));
    }
    std::string report;
    for (;;) {
        pollfd fds[2] = {{fifo.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
        int ready = poll(fds, 2, -1);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            throw_errno("wait for container init");
        }
        char buffer[4096];
        ssize_t count = read(fifo.get(), buffer, sizeof(buffer));
        if (count > 0) {
            report.append(buffer, static_cast<size_t>(count));
            // A failure report is written in one piece right before init exits.
            if (report[0] == '0' || (fds[1].revents & POLLIN) != 0) {
                break;
            }
            continue;
        }
        if ((fds[1].revents & POLLIN) != 0) {
            break;
        }
    }
    if (report.empty()) {
        throw_error("container init exited before it was started");
    }
    if (report[0] != '0') {
        throw_error(report.substr(1));
    }
}

// A failed poststart hook fails `start` and stops the container (runtime-spec lifecycle).
// NOTE: as runc 1.1 does, the stopped container is left for `delete`, which runs the poststop
// hooks, rather than destroyed here.
void run_poststart_hooks(const state::ContainerState& state) {
    try {
        hooks::run_hooks(stored_hooks(state, kPoststartHooksKey), "poststart",
                         hook_state(state, state::Status::running));
    } catch (const Error&) {
        try {
            signal_init(state, SIGKILL);
        } catch (const Error& error) {
            log::warning(std::string("stop container after failed poststart hook: ") +
                         error.what());
        }
        throw;
    }
}

// Returns the relay when the caller set NOTIFY_SOCKET and create made the container's socket
// directory. Without the directory, create ran without NOTIFY_SOCKET, so the container has no
// socket to send to. A failure fails `start` and `run --detach` but only warns in a foreground
// `run`, because runc 1.1.5 ignores it there.
std::optional<NotifySocket> open_notify_socket(const std::string& container_dir,
                                               const std::string& caller_socket,
                                               NotifyMainPid main_pid) {
    if (caller_socket.empty() || access(notify_dir(container_dir).c_str(), F_OK) != 0) {
        return std::nullopt;
    }
    if (main_pid == NotifyMainPid::container_init) {
        return NotifySocket(container_dir, caller_socket);
    }
    try {
        return NotifySocket(container_dir, caller_socket);
    } catch (const Error& error) {
        log::warning(std::string("relay READY to NOTIFY_SOCKET: ") + error.what());
        return std::nullopt;
    }
}

// Waits for READY= and forwards it. Errors are handled as in open_notify_socket.
void relay_ready(NotifySocket& notify, int init_pidfd, pid_t init_pid, NotifyMainPid main_pid) {
    if (main_pid == NotifyMainPid::container_init) {
        notify.forward_ready(init_pidfd, init_pid);
        return;
    }
    try {
        notify.forward_ready(init_pidfd, getpid());
    } catch (const Error& error) {
        log::warning(std::string("relay READY to NOTIFY_SOCKET: ") + error.what());
    }
}

}  // namespace

void start(const GlobalOptions& global, const std::string& id) {
    start_container(global, id, NotifyMainPid::container_init);
}

namespace {

// Releases init of a created container, given its lock, and runs the poststart hooks. The lock is
// released before the wait for READY=, which lasts as long as the service takes to start, so
// that `state`, `kill` and `delete` keep working meanwhile.
void release_locked(const std::string& dir, state::ContainerLock lock,
                    const state::ContainerState& state, NotifyMainPid main_pid) {
    std::optional<NotifySocket> notify;
    std::optional<ScopedFd> init_pidfd;
    {
        state::ContainerLock scoped_lock = std::move(lock);
        // Bound before init is released, so that no message is lost.
        notify = open_notify_socket(dir, caller_notify_socket(), main_pid);
        if (notify) {
            init_pidfd.emplace(static_cast<int>(syscall(SYS_pidfd_open, state.pid, 0)));
            if (init_pidfd->get() < 0) {
                throw_errno("pidfd_open of container init " + std::to_string(state.pid));
            }
        }

        std::string fifo_path = dir + "/exec.fifo";
        release_init(fifo_path, state.pid);
        if (unlink(fifo_path.c_str()) != 0) {
            throw_errno("remove exec fifo " + quote(fifo_path));
        }
        run_poststart_hooks(state);
    }
    if (notify) {
        relay_ready(*notify, init_pidfd->get(), state.pid, main_pid);
    }
}

}  // namespace

void start_container(const GlobalOptions& global, const std::string& id, NotifyMainPid main_pid) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(id);
    state::ContainerState state = store.load(id);
    std::string dir = store.container_dir(id);
    check_startable(state, state::current_status(state, dir));
    release_locked(dir, std::move(lock), state, main_pid);
}

void start_created(const GlobalOptions& global, CreatedContainer& created, NotifyMainPid main_pid) {
    state::ContainerLock lock = std::move(created.lock);
    std::string dir = open_store(global.root).container_dir(created.state.id);
    release_locked(dir, std::move(lock), created.state, main_pid);
}

}  // namespace ocirun::container
