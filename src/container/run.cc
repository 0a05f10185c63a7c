// `run`: create and start, then in the foreground forward signals to init, reap it, and delete
// the container.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/error.h"
#include "base/log.h"
#include "container/create_container.h"
#include "container/operations.h"
#include "process/exit_status.h"

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
        create_container(global, options.create);
        try {
            start(global, id);
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
        pid_t init = create_container(global, options.create);
        try {
            start(global, id);
        } catch (...) {
            delete_quietly(global, id);
            throw;
        }
        status = supervise(signal_fd, init);
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
