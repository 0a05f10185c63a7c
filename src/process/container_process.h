// The container's init process seen from the runtime: clone, the sync protocol steps of
// `create`, and cleanup when create fails.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>

#include "process/sync_protocol.h"
#include "security/seccomp.h"
#include "spec/spec.h"
#include "terminal/unique_fd.h"

namespace ocirun::process {

// Everything the init stage needs; the cloned process gets a copy of the runtime's memory, so
// this is read there directly.
struct InitRequest {
    const spec::Spec* spec = nullptr;  // validated for create
    std::string id;
    std::string rootfs;  // absolute host path
    bool no_pivot = false;
    bool no_new_keyring = false;
    bool rootless = false;
    int preserve_fds = 0;   // --preserve-fds: fds 3+listen_fds .. kept open
    int listen_fds = 0;     // LISTEN_FDS handed over: fds 3 .. 3+listen_fds-1
    int exec_fifo_fd = -1;  // O_PATH fd of exec.fifo, reopened for writing by init
    // linux.seccomp compiled by the runtime before clone, so that init only loads it; null
    // without linux.seccomp.
    const security::CompiledSeccomp* seccomp = nullptr;
};

// Returns the first fd number after the ones passed to the container (3 + listen + preserve).
int first_unpassed_fd(const InitRequest& request);

// True when the namespaces need a second process: init is then forked by the cloned process
// after it joined or made them (a joined or new pid or time namespace created by unshare, a
// joined user namespace, or a new user namespace combined with joined ones).
bool needs_init_fork(const spec::Linux& linux_config);

// True when the cloned process sends init_pid: when it forks init, whose pid the message
// carries, and when it makes a user namespace, whose id maps the runtime writes while it waits
// for the message. Otherwise the cloned process is init and sends nothing before `ready`.
bool reports_init_pid(const spec::Linux& linux_config);

// The CLONE_NEW* flags given to clone3 itself; the cloned process unshares the rest.
int clone_namespace_flags(const spec::Linux& linux_config);

class ContainerProcess {
  public:
    // Clones the first process. It waits until send_start().
    static ContainerProcess clone(const InitRequest& request);

    ContainerProcess(ContainerProcess&& other) noexcept;
    ContainerProcess& operator=(ContainerProcess&&) = delete;
    ContainerProcess(const ContainerProcess&) = delete;
    ~ContainerProcess();

    pid_t first_pid() const { return first_pid_; }
    // Host pid of the container's init; 0 before wait_for_init_pid() returns.
    pid_t init_pid() const { return init_pid_; }

    // Lets the process continue (the `start` message).
    void send_start(const StartMessage& message);
    // Writes the id maps the process requests and returns the init pid.
    pid_t wait_for_init_pid();

    // Waits until init requests the prestart and createRuntime hooks.
    void wait_for_hooks_request();
    // Lets init continue; `state_json` is the state given to the hooks init runs itself.
    void hooks_done(const std::string& state_json);
    // Waits until init is ready to block on exec.fifo, then drops the sync socket. Keeps the
    // pty master init sends for process.terminal, and passes the seccomp notify fd init sends
    // for SCMP_ACT_NOTIFY rules to `on_seccomp_fd` (which must not close it) before letting
    // init go on.
    void wait_ready(const std::function<void(int notify_fd)>& on_seccomp_fd);
    // Returns the pty master received by wait_ready; not valid without process.terminal.
    terminal::UniqueFd take_terminal_master() { return std::move(terminal_master_); }

    // Kills and reaps the processes, for a failed create.
    void kill();

  private:
    ContainerProcess(const InitRequest& request, pid_t first_pid, int sync_fd);

    const InitRequest* request_;
    pid_t first_pid_;
    pid_t init_pid_ = 0;
    int sync_fd_;
    terminal::UniqueFd terminal_master_;
};

}  // namespace ocirun::process
