// `exec`: run a new process in a running container, in the foreground or detached.
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "container/exec_spec.h"
#include "container/lifecycle.h"
#include "container/operations.h"
#include "container/seccomp_listener.h"
#include "process/exec_process.h"
#include "process/exit_status.h"
#include "security/lsm.h"
#include "security/seccomp.h"
#include "spec/parse.h"
#include "state/atomic_file.h"
#include "state/process_stat.h"
#include "state/state_store.h"
#include "terminal/console_socket.h"
#include "terminal/raw_mode.h"
#include "terminal/relay.h"

namespace ocirun::container {

namespace {

// runc 1.1.5's messages, with `container not running` added because CRI-O matches it.
void check_executable_state(state::Status status, bool ignore_paused) {
    if (status == state::Status::stopped) {
        throw_error("cannot exec in a stopped container: container not running",
                    ErrorKind::wrong_state);
    }
    if (status == state::Status::paused && !ignore_paused) {
        throw_error("cannot exec in a paused container (use --ignore-paused to override)",
                    ErrorKind::wrong_state);
    }
}

bool init_is_alive(const state::ContainerState& state) {
    auto stat = state::read_process_stat(state.pid);
    return stat && stat->start_time == state.pid_start_time && stat->state != 'Z' &&
           stat->state != 'X';
}

// The decimal pid without a newline, because containerd's parser rejects anything else.
void write_pid_file(const std::string& pid_file, pid_t pid) {
    std::string path = pid_file;
    if (path[0] != '/') {
        char* cwd = getcwd(nullptr, 0);
        if (cwd == nullptr) {
            throw_errno("get the working directory for pid file " + quote(pid_file));
        }
        path = std::string(cwd) + "/" + path;
        free(cwd);
    }
    size_t slash = path.rfind('/');
    std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    state::write_file_atomically(dir, path.substr(slash + 1), std::to_string(pid));
}

// Everything the exec'd process needs from the container's config.json.
struct ExecContext {
    spec::Spec config;
    spec::Process process;
    std::optional<security::CompiledSeccomp> seccomp;
};

// NOTE: create keeps no copy of config.json, so this reads the bundle's. A bundle edited or
// removed after create changes or breaks exec.
ExecContext load_exec_context(const ExecOptions& options, const state::ContainerState& state) {
    ExecContext context;
    context.config = spec::load_config(state.bundle + "/config.json");
    context.process = exec_process_spec(options, context.config);
    check_terminal_options(options, context.process);
    if (context.config.linux_config && context.config.linux_config->seccomp) {
        context.seccomp = security::compile_seccomp(*context.config.linux_config->seccomp);
    }
    spec::Spec lsm_request;
    lsm_request.process = context.process;
    security::check_lsm_support(lsm_request);
    return context;
}

cgroups::CgroupPaths exec_cgroup(const ExecOptions& options, const state::ContainerState& state) {
    if (options.cgroup.empty()) {
        return state.cgroup_paths;
    }
    return cgroups::exec_cgroup_paths(state.cgroup_paths, options.cgroup);
}

struct Started {
    pid_t pid = 0;
    terminal::UniqueFd master;
};

// Starts the process in the container. Every step up to its execve holds the container's lock.
Started start_process(const GlobalOptions& global, const ExecOptions& options) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(options.id);
    state::ContainerState state = store.load(options.id);
    state::Status status = state::current_status(state, store.container_dir(options.id));
    check_executable_state(status, options.ignore_paused);
    ExecContext context = load_exec_context(options, state);

    process::ExecRequest request;
    request.process = &context.process;
    request.init_pid = state.pid;
    request.seccomp = context.seccomp ? &*context.seccomp : nullptr;
    request.preserve_fds = options.preserve_fds;

    std::optional<process::ExecProcess> exec_process;
    try {
        exec_process.emplace(process::ExecProcess::spawn(request));
    } catch (const Error& error) {
        check_executable_state(
            init_is_alive(state) ? state::Status::running : state::Status::stopped, true);
        // The user may not open a non-dumpable init's /proc files, which runc leaves open.
        if (error.error_number() == EACCES && status == state::Status::created && geteuid() != 0) {
            throw error.with_context(
                "exec into the created rootless container " + quote(options.id) +
                ": its init stays non-dumpable until `start`, so run `start` first");
        }
        throw;
    }
    try {
        // Checked after init's files were opened, so that they cannot be another process's.
        check_executable_state(
            init_is_alive(state) ? state::Status::running : state::Status::stopped, true);
        // In a frozen cgroup the helper would stop before the process reaches execve, so with
        // --ignore-paused the process joins the cgroup after execve and is frozen there.
        // NOTE: until then it runs outside the container's cgroup.
        bool paused = status == state::Status::paused;
        cgroups::CgroupPaths cgroup = exec_cgroup(options, state);
        if (!paused) {
            cgroups::add_process(cgroup, exec_process->helper_pid());
        }
        Started started;
        started.pid = exec_process->start();
        started.master = exec_process->wait_for_execve([&](int notify_fd) {
            const spec::Seccomp& seccomp = *context.config.linux_config->seccomp;
            send_to_seccomp_listener(seccomp.listener_path, seccomp.listener_metadata, notify_fd,
                                     state, started.pid, state::Status::running);
        });
        if (paused) {
            cgroups::add_process(cgroup, started.pid);
        }
        return started;
    } catch (...) {
        exec_process->kill();
        throw;
    }
}

// Forwards signals (and with a terminal, stdio) until the process exits; returns its status.
int wait_in_foreground(pid_t pid, int master_fd) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        throw_errno("pidfd_open of exec process " + std::to_string(pid));
    }
    try {
        std::optional<terminal::RawMode> raw;
        if (master_fd >= 0) {
            raw.emplace(STDIN_FILENO);
        }
        terminal::relay_until_exit(master_fd, pidfd, [pidfd](int sig) {
            syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0);
        });
    } catch (...) {
        close(pidfd);
        throw;
    }
    close(pidfd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("wait for exec process " + std::to_string(pid));
        }
    }
    return process::exit_status_from_wait(status);
}

// Restores the caller's signal mask when destroyed.
class BlockedSignals {
  public:
    explicit BlockedSignals(const sigset_t& set) { sigprocmask(SIG_BLOCK, &set, &saved_); }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;
    ~BlockedSignals() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }

  private:
    sigset_t saved_;
};

}  // namespace

int exec(const GlobalOptions& global, const ExecOptions& options) {
    // Blocked before the fork, so that a signal sent meanwhile stays pending and is forwarded
    // once the relay loop runs.
    std::optional<BlockedSignals> blocked;
    if (!options.detach) {
        blocked.emplace(terminal::forwarded_signals());
    }
    Started started = start_process(global, options);
    if (!options.pid_file.empty()) {
        write_pid_file(options.pid_file, started.pid);
    }
    if (started.master.valid() && !options.console_socket.empty()) {
        terminal::send_console(options.console_socket, started.master.get());
        started.master.reset();
    }
    if (options.detach) {
        return 0;
    }
    return wait_in_foreground(started.pid, started.master.get());
}

}  // namespace ocirun::container
