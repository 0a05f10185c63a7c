// Container init from the rootfs to execve: mounts, hooks, process attributes, user and
// capabilities, seccomp, then exec.fifo and the program.
#include "process/init_stage.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "hooks/hooks.h"
#include "process/attributes.h"
#include "process/sync_protocol.h"
#include "rootfs/rootfs.h"
#include "security/capabilities.h"
#include "security/host_fds.h"
#include "security/lsm.h"
#include "security/messages.h"
#include "security/seccomp.h"
#include "terminal/pty.h"

namespace ocirun::process {

namespace {

void set_names(const spec::Spec& spec) {
    if (!spec.hostname.empty() && sethostname(spec.hostname.data(), spec.hostname.size()) != 0) {
        throw_errno("set hostname " + quote(spec.hostname));
    }
    if (!spec.domainname.empty() &&
        setdomainname(spec.domainname.data(), spec.domainname.size()) != 0) {
        throw_errno("set domainname " + quote(spec.domainname));
    }
}

void apply_process_attributes(const InitRequest& request) {
    const spec::Spec& spec = *request.spec;
    const spec::Process& process = *spec.process;
    const spec::Linux& linux_config = *spec.linux_config;
    apply_sysctl(linux_config.sysctl);
    if (!request.no_new_keyring) {
        // runc 1.1.5's name, which `cat /proc/keys` shows inside its containers.
        join_session_keyring("_ses." + request.id);
    }
    apply_rlimits(process.rlimits);
    if (process.oom_score_adj) {
        apply_oom_score_adj(*process.oom_score_adj);
    }
    if (process.scheduler) {
        apply_scheduler(*process.scheduler);
    }
    if (process.io_priority) {
        apply_io_priority(*process.io_priority);
    }
    if (linux_config.personality) {
        apply_personality(*linux_config.personality);
    }
    if (linux_config.memory_policy) {
        apply_memory_policy(*linux_config.memory_policy);
    }
}

// Runs prepare_rootfs with linux.mountLabel added to the mounts that take it. The spec is copied
// only when a label is set. /sys of the host is still visible here, so selinux_enabled works.
void prepare_labelled_rootfs(const spec::Spec& spec, const rootfs::RootfsOptions& options) {
    const std::string& label = spec.linux_config->mount_label;
    if (label.empty()) {
        rootfs::prepare_rootfs(spec, options);
        return;
    }
    spec::Spec labelled = spec;
    labelled.mounts = security::label_mounts(spec.mounts, label, security::selinux_enabled());
    rootfs::prepare_rootfs(labelled, options);
}

// Creates each missing directory of the absolute path `cwd`.
void make_directories(const std::string& cwd) {
    for (size_t slash = cwd.find('/', 1);; slash = cwd.find('/', slash + 1)) {
        std::string prefix = cwd.substr(0, slash);
        if (mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
            throw_errno("create working directory " + quote(prefix));
        }
        if (slash == std::string::npos) {
            return;
        }
    }
}

// Hands the notify fd to the runtime and waits until it has passed it to the listener, so that
// no notified syscall of the container waits for an agent that does not have the fd yet.
void send_seccomp_notify_fd(const SyncSocket& sync, int notify_fd) {
    sync.send_with_fd(SyncMessage::seccomp_fd, notify_fd);
    sync.expect(SyncMessage::seccomp_done);
}

// Loads the filter compiled by the runtime. A filter with SCMP_ACT_NOTIFY rules yields a notify
// fd, which goes to the runtime for linux.seccomp.listenerPath.
void load_seccomp(const InitRequest& request, const SyncSocket& sync) {
    int notify_fd = security::load_compiled_seccomp(*request.seccomp);
    if (notify_fd >= 0) {
        send_seccomp_notify_fd(sync, notify_fd);
        close(notify_fd);
    }
}

// Switches to the container user. Seccomp goes before the capability drop, unless
// noNewPrivileges is set: then run_init loads it after the executable is found and before
// `ready`, as runc 1.1 orders them.
void switch_user(const InitRequest& request, const SyncSocket& sync) {
    const spec::Process& process = *request.spec->process;
    if (request.seccomp != nullptr && !process.no_new_privileges) {
        load_seccomp(request, sync);
    }
    std::string cwd = process.cwd.empty() ? "/" : process.cwd;
    bool entered_cwd = try_enter_working_directory(cwd);
    give_stdio_to_user(process.user.uid);
    security::keep_capabilities_across_setuid();
    apply_user(process.user);
    // A change of uid or gid sets the dumpable flag to fs.suid_dumpable, which is 1 on some
    // hosts, so the flag is cleared again for the time until execve.
    make_non_dumpable();
    security::apply_capabilities(process.capabilities);
    if (process.no_new_privileges) {
        apply_no_new_privileges();
    }
    if (!entered_cwd) {
        enter_working_directory(cwd);
    }
}

// Makes a pty in the container's devpts the process's console and /dev/console, and sends the
// master to the runtime. Runs after pivot_root, so that /dev/ptmx is the container's.
void set_up_terminal(const spec::Process& process, const SyncSocket& sync) {
    terminal::Pty pty = terminal::open_pty();
    if (process.console_size) {
        terminal::set_window_size(pty.peer.get(),
                                  {static_cast<uint16_t>(process.console_size->height),
                                   static_cast<uint16_t>(process.console_size->width)});
    }
    terminal::UniqueFd dev(open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dev.valid()) {
        throw_errno("open " + quote("/dev"));
    }
    terminal::mount_console(pty.peer.get(), dev.get());
    terminal::make_controlling_terminal(pty.peer.get());
    sync.send_with_fd(SyncMessage::terminal, pty.master.get());
}

// Marks the fds passed to the container inheritable and every later one close-on-exec.
void prepare_fds(const InitRequest& request) {
    int end = first_unpassed_fd(request);
    for (int fd = 3; fd < end; ++fd) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) {
            fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
    }
    if (syscall(SYS_close_range, end, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        throw_errno("mark fds from " + std::to_string(end) + " close-on-exec");
    }
}

std::vector<std::string> container_env(const InitRequest& request) {
    std::vector<std::string> env = request.spec->process->env;
    if (request.listen_fds > 0) {
        env.push_back("LISTEN_FDS=" + std::to_string(request.listen_fds));
        env.push_back("LISTEN_PID=" + std::to_string(getpid()));
    }
    return env;
}

std::vector<char*> to_argv(std::vector<std::string>& strings) {
    std::vector<char*> argv;
    for (auto& value : strings) {
        argv.push_back(value.data());
    }
    argv.push_back(nullptr);
    return argv;
}

// Opens exec.fifo for writing, which blocks until `start` opens it for reading. /proc must be
// mounted in the container, because the fifo is reached through the fd opened on the host.
int open_exec_fifo(const InitRequest& request) {
    std::string path = "/proc/self/fd/" + std::to_string(request.exec_fifo_fd);
    int fd;
    do {
        fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        throw_errno("open exec fifo " + quote(path));
    }
    close(request.exec_fifo_fd);
    return fd;
}

// Checks before `ready` that the container user can open exec.fifo, because a failure to open
// it later has no way to reach the runtime.
void check_exec_fifo(const InitRequest& request) {
    std::string path = "/proc/self/fd/" + std::to_string(request.exec_fifo_fd);
    if (faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0) {
        throw_errno("open exec fifo " + quote(path) + " for writing");
    }
}

// Reports a failure after `ready` to `start`, which reads exec.fifo: "1" then the message.
[[noreturn]] void fail_through_fifo(int fifo_fd, const std::string& message) {
    std::string report = "1" + message;
    if (fifo_fd >= 0) {
        (void)!write(fifo_fd, report.data(), report.size());
    }
    _exit(1);
}

[[noreturn]] void start_program(const InitRequest& request, const std::string& executable,
                                const std::string& state_json) {
    int fifo_fd = -1;
    try {
        fifo_fd = open_exec_fifo(request);
        const spec::Spec& spec = *request.spec;
        if (spec.hooks) {
            hooks::run_hooks(spec.hooks->start_container, "startContainer", state_json);
        }
        if (spec.process->exec_cpu_affinity && !spec.process->exec_cpu_affinity->final.empty()) {
            apply_cpu_affinity(spec.process->exec_cpu_affinity->final);
        }
        std::vector<std::string> args = spec.process->args;
        std::vector<std::string> env = container_env(request);
        std::vector<char*> argv = to_argv(args);
        std::vector<char*> envp = to_argv(env);
        if (write(fifo_fd, "0", 1) != 1) {
            throw_errno("write exec fifo");
        }
        execve(executable.c_str(), argv.data(), envp.data());
        throw_errno("exec " + quote(executable));
    } catch (const std::exception& error) {
        fail_through_fifo(fifo_fd, error.what());
    }
}

}  // namespace

void run_init(const InitRequest& request, int sync_fd,
              const std::map<std::string, std::string>& cgroup_relative_paths) {
    SyncSocket sync(sync_fd);
    const spec::Spec& spec = *request.spec;
    const spec::Process& process = *spec.process;

    rootfs::RootfsOptions rootfs_options{request.rootfs, request.no_pivot, cgroup_relative_paths};
    prepare_labelled_rootfs(spec, rootfs_options);

    std::string state_json;
    if (exchanges_hook_messages(spec)) {
        sync.send(SyncMessage::run_hooks);
        state_json = sync.expect(SyncMessage::hooks_done).payload;
    }
    if (spec.hooks) {
        hooks::run_hooks(spec.hooks->create_container, "createContainer", state_json);
    }
    rootfs::enter_rootfs(spec, rootfs_options);
    if (process.terminal) {
        set_up_terminal(process, sync);
    }
    rootfs::finish_rootfs(spec);

    set_names(spec);
    // LSM labels take effect at execve and must be set before no_new_privs, as runc orders it.
    security::apply_apparmor_profile(process.apparmor_profile);
    security::apply_selinux_label(process.selinux_label);
    apply_process_attributes(request);
    make_directories(process.cwd.empty() ? "/" : process.cwd);
    switch_user(request, sync);
    std::string executable = find_executable(process.args.at(0), process.env);
    check_exec_fifo(request);
    // The fd checks run before a noNewPrivileges filter is loaded, so that the profile may block
    // the syscalls they make. Every fd opened after them is close-on-exec: exec.fifo and the
    // pipes of startContainer hooks.
    prepare_fds(request);
    security::verify_no_host_fds_leak(first_unpassed_fd(request));
    if (request.seccomp != nullptr && process.no_new_privileges) {
        load_seccomp(request, sync);
    }

    // From here on the runtime exits; the container must outlive it.
    prctl(PR_SET_PDEATHSIG, 0);
    sync.send(SyncMessage::ready);
    close(sync_fd);
    // NOTE: messages after `ready` are dropped: the runtime has stopped reading, and init must
    // not write the log itself.
    security::set_message_handler([](log::Level, std::string_view) {});
    start_program(request, executable, state_json);
}

}  // namespace ocirun::process
