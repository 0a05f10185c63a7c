// `start`: release init from exec.fifo, then run poststart hooks.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/log.h"
#include "container/lifecycle.h"
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
// The pidfd is opened before the fifo: opening the fifo lets init execve, and a short-lived
// process can exit and be reaped by its subreaper (conmon, the shim) before a later
// pidfd_open, which then fails with ESRCH although the container started.
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

}  // namespace

void start(const GlobalOptions& global, const std::string& id) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(id);
    state::ContainerState state = store.load(id);
    std::string dir = store.container_dir(id);
    check_startable(state, state::current_status(state, dir));

    std::string fifo_path = dir + "/exec.fifo";
    release_init(fifo_path, state.pid);
    if (unlink(fifo_path.c_str()) != 0) {
        throw_errno("remove exec fifo " + quote(fifo_path));
    }
    run_poststart_hooks(state);
}

}  // namespace ocirun::container
