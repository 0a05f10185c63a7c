// The process `exec` starts in a running container, seen from the runtime: a helper that joins
// the container's namespaces and root, and the process it forks there, up to execve.
//
// Sequence (P = the runtime, H = the helper, X = the exec'd process):
//
//   P opens /proc/INIT/ns/* and /proc/INIT/root, forks H, then checks INIT's start time.
//   P moves H into the container's cgroup.
//   P -> H  start
//   H joins the user namespace, then the others, and chroots into the container's root.
//   H forks X as P's child (CLONE_PARENT), so that X is in the container's pid namespace.
//   H -> P  init_pid         payload: decimal host pid of X; H exits.
//   P reaps H.
//   P -> X  start            H no longer counts in the cgroup's pids.max, so X may fork.
//   X with a terminal: opens a pty in the container's devpts and sends the master as an fd
//   attached to a `terminal` frame.
//   X with SCMP_ACT_NOTIFY rules: sends the notify fd attached to a `seccomp_fd` frame and
//   waits for `seccomp_done`, which P sends once it passed the fd to the seccomp listener.
//   X applies the process attributes and calls execve. The sync socket is close-on-exec, so
//   P reads end-of-file once execve succeeded, or an `error` frame when a step failed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "security/seccomp.h"
#include "spec/spec.h"
#include "terminal/unique_fd.h"

namespace ocirun::process {

// One namespace of the container's init, opened by the runtime.
struct ExecNamespace {
    spec::NamespaceType type = spec::NamespaceType::mount;
    int fd = -1;
};

struct ExecRequest {
    const spec::Process* process = nullptr;
    pid_t init_pid = 0;
    const security::CompiledSeccomp* seccomp = nullptr;  // nullptr: no seccomp filter
    int preserve_fds = 0;                                // fds 3 .. 3+N-1 are passed on
};

// Returns the namespaces of `init_pid` that differ from the calling process's, user first and
// mount last, each as an open fd.
std::vector<ExecNamespace> open_init_namespaces(pid_t init_pid);

// Parses a user given as "UID[:GID]" into `user`, keeping its gid when none is given.
// Throws an invalid_spec Error naming the value otherwise.
void parse_exec_user(const std::string& value, spec::User& user);

// Appends `overrides` (KEY=VALUE) to `env`, replacing an earlier entry with the same key.
void merge_env(std::vector<std::string>& env, const std::vector<std::string>& overrides);

class ExecProcess {
  public:
    // Opens init's namespaces and root and forks the helper, which waits until start(). The
    // caller must then check that init_pid still names the container's init (its start time),
    // because the pid may have been reused before the files were opened.
    static ExecProcess spawn(const ExecRequest& request);

    ExecProcess(ExecProcess&& other) noexcept;
    ExecProcess& operator=(ExecProcess&&) = delete;
    ExecProcess(const ExecProcess&) = delete;
    ~ExecProcess();

    pid_t helper_pid() const { return helper_pid_; }
    // Host pid of the exec'd process; 0 before start() returns.
    pid_t pid() const { return pid_; }

    // Lets the helper enter the container, reaps it, then lets the exec'd process go on to
    // execve, and returns its pid.
    pid_t start();

    // Waits until the process called execve. Returns the pty master when it has a terminal.
    // Calls `on_seccomp_fd` with the notify fd of a filter with SCMP_ACT_NOTIFY rules and
    // closes the fd when it returns. Throws the process's error, such as a missing executable,
    // or the callback's.
    terminal::UniqueFd wait_for_execve(const std::function<void(int notify_fd)>& on_seccomp_fd);

    // Kills and reaps the helper and the exec'd process, for a failed exec.
    void kill();

  private:
    ExecProcess(pid_t helper_pid, int sync_fd) : helper_pid_(helper_pid), sync_fd_(sync_fd) {}

    pid_t helper_pid_;
    pid_t pid_ = 0;
    int sync_fd_;
};

}  // namespace ocirun::process
