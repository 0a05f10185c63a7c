// The exec'd process inside the container, from its fork to execve.
#include "process/exec_stage.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "process/attributes.h"
#include "process/sync_protocol.h"
#include "security/capabilities.h"
#include "security/host_fds.h"
#include "security/lsm.h"
#include "terminal/pty.h"

namespace ocirun::process {

namespace {

// Opens a pty in the container's devpts, makes it the process's console and sends the master
// to the runtime attached to a `terminal` frame.
void set_up_terminal(const spec::Process& process, int sync_fd) {
    terminal::Pty pty = terminal::open_pty();
    if (process.console_size) {
        terminal::set_window_size(pty.peer.get(),
                                  {static_cast<uint16_t>(process.console_size->height),
                                   static_cast<uint16_t>(process.console_size->width)});
    }
    terminal::make_controlling_terminal(pty.peer.get());
    SyncSocket(sync_fd).send_with_fd(SyncMessage::terminal, pty.master.get());
}

void apply_attributes(const spec::Process& process) {
    apply_rlimits(process.rlimits);
    if (process.scheduler) {
        apply_scheduler(*process.scheduler);
    }
    if (process.io_priority) {
        apply_io_priority(*process.io_priority);
    }
    // TODO: process.execCPUAffinity is not applied to exec'd processes yet.
}

// Loads the filter compiled by the runtime. With SCMP_ACT_NOTIFY rules, sends the notify fd to
// the runtime for linux.seccomp.listenerPath and waits until the runtime has passed it on, as
// init does.
void load_seccomp(const ExecRequest& request, int sync_fd) {
    int notify_fd = security::load_compiled_seccomp(*request.seccomp);
    if (notify_fd < 0) {
        return;
    }
    SyncSocket sync(sync_fd);
    sync.send_with_fd(SyncMessage::seccomp_fd, notify_fd);
    close(notify_fd);
    sync.expect(SyncMessage::seccomp_done);
}

// Seccomp goes before the capability drop unless noNewPrivileges is set. With it, the filter
// is loaded last, right before execve, as runc orders them.
void switch_user(const ExecRequest& request, int sync_fd) {
    const spec::Process& process = *request.process;
    if (request.seccomp != nullptr && !process.no_new_privileges) {
        load_seccomp(request, sync_fd);
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

// Marks the fds passed on (3 .. 3+preserve_fds-1) inheritable and every later one
// close-on-exec, then checks that none of the host's directories stays reachable.
void prepare_fds(int preserve_fds) {
    int end = 3 + preserve_fds;
    for (int fd = 3; fd < end; ++fd) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0) {
            fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
    }
    if (syscall(SYS_close_range, end, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        throw_errno("mark fds from " + std::to_string(end) + " close-on-exec");
    }
    security::verify_no_host_fds_leak(end);
}

std::vector<char*> to_argv(std::vector<std::string>& strings) {
    std::vector<char*> argv;
    for (auto& value : strings) {
        argv.push_back(value.data());
    }
    argv.push_back(nullptr);
    return argv;
}

}  // namespace

void run_exec_stage(const ExecRequest& request, int sync_fd) {
    const spec::Process& process = *request.process;
    if (process.terminal) {
        set_up_terminal(process, sync_fd);
    }
    security::apply_apparmor_profile(process.apparmor_profile);
    security::apply_selinux_label(process.selinux_label);
    apply_attributes(process);
    switch_user(request, sync_fd);
    std::string executable = find_executable(process.args.at(0), process.env);
    // Before a noNewPrivileges filter, so that the profile may block the syscalls of the checks.
    prepare_fds(request.preserve_fds);
    if (request.seccomp != nullptr && process.no_new_privileges) {
        load_seccomp(request, sync_fd);
    }

    std::vector<std::string> args = process.args;
    std::vector<std::string> env = process.env;
    std::vector<char*> argv = to_argv(args);
    std::vector<char*> envp = to_argv(env);
    // The process outlives the runtime when exec is detached.
    prctl(PR_SET_PDEATHSIG, 0);
    execve(executable.c_str(), argv.data(), envp.data());
    throw_errno("exec " + quote(executable));
}

}  // namespace ocirun::process
