// `run`: create and start, then in the foreground forward signals to init, reap it, and delete
// the container.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/error.h"
#include "base/log.h"
#include "container/create_container.h"
#include "container/notify_socket.h"
#include "container/operations.h"
#include "process/exit_status.h"
#include "terminal/raw_mode.h"
#include "terminal/relay.h"
#include "terminal/unique_fd.h"

namespace ocirun::container {

namespace {

// Signals the kernel raises for the runtime's own faults; these are never forwarded.
bool is_synchronous(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP ||
           sig == SIGSYS;
}

sigset_t forwarded_signals() {
    sigset_t set;
    sigfillset(&set);
    for (int sig : {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) {
        sigdelset(&set, sig);
    }
    return set;
}

// Reaps every exited child; returns the wait status of `init` once it is among them.
std::optional<int> reap_children(pid_t init) {
    std::optional<int> init_status;
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0) {
            return init_status;
        }
        if (pid == init) {
            init_status = status;
        }
    }
}

// Forwards signals to init until it exits; returns its wait status.
int supervise(int signal_fd, pid_t init) {
    for (;;) {
        if (auto status = reap_children(init)) {
            return *status;
        }
        signalfd_siginfo info;
        ssize_t count = read(signal_fd, &info, sizeof(info));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count != sizeof(info)) {
            throw_errno("read signalfd");
        }
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD || is_synchronous(sig)) {
            continue;
        }
        if (::kill(init, sig) != 0 && errno != ESRCH) {
            log::warning("forward signal " + std::to_string(sig) +
                         " to container init: " + errno_text(errno));
        }
    }
}

// Copies between the caller's terminal and the pty master until init exits, with the terminal
// in raw mode meanwhile. Returns init's wait status.
int relay_terminal(int master_fd, pid_t init) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, init, 0));
    if (pidfd < 0) {
        throw_errno("pidfd_open of container init " + std::to_string(init));
    }
    terminal::UniqueFd owned_pidfd(pidfd);
    {
        terminal::RawMode raw(STDIN_FILENO);
        terminal::relay_until_exit(master_fd, pidfd, [init](int sig) {
            if (::kill(init, sig) != 0 && errno != ESRCH) {
                log::warning("forward signal " + std::to_string(sig) +
                             " to container init: " + errno_text(errno));
            }
        });
    }
    int status = 0;
    while (waitpid(init, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("wait for container init " + std::to_string(init));
        }
    }
    reap_children(init);
    return status;
}

void delete_quietly(const GlobalOptions& global, const std::string& id) {
    try {
        remove(global, id, true);
    } catch (const Error& error) {
        log::warning(std::string("delete container after run: ") + error.what());
    }
}

}  // namespace

int run(const GlobalOptions& global, const RunOptions& options) {
    const std::string& id = options.create.id;
    if (options.detach) {
        CreatedContainer created = create_container(global, options.create, false);
        try {
            start_created(global, created, NotifyMainPid::container_init);
        } catch (...) {
            delete_quietly(global, id);
            throw;
        }
        return 0;
    }

    // Blocked before clone, so that no signal is lost; init unblocks them before execve.
    sigset_t signals = forwarded_signals();
    sigset_t previous;
    sigprocmask(SIG_BLOCK, &signals, &previous);
    int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);
    if (signal_fd < 0) {
        throw_errno("create signalfd");
    }
    if (!options.no_subreaper) {
        // Orphaned processes of the container are reparented to us and reaped.
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    }
    int status = 0;
    try {
        CreatedContainer created = create_container(global, options.create, true);
        try {
            // NOTE: with NOTIFY_SOCKET set this waits for READY= or init's exit before signals
            // are forwarded and the terminal is relayed, as runc 1.1.5 does.
            start_created(global, created, NotifyMainPid::runtime);
        } catch (...) {
            delete_quietly(global, id);
            throw;
        }
        if (created.terminal_master.valid()) {
            status = relay_terminal(created.terminal_master.get(), created.pid);
        } else {
            status = supervise(signal_fd, created.pid);
        }
    } catch (...) {
        close(signal_fd);
        sigprocmask(SIG_SETMASK, &previous, nullptr);
        throw;
    }
    close(signal_fd);
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (!options.keep) {
        delete_quietly(global, id);
    }
    return process::exit_status_from_wait(status);
}

}  // namespace ocirun::container
