// The runtime's commands as library calls; the command-line front end only parses flags and
// calls these.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ocirun::container {

// Global options shared by every command (runc's names).
struct GlobalOptions {
    std::string root = "/run/ocirun";
    std::string log;         // --log; empty means stderr
    std::string log_format;  // "text" or "json"
    bool debug = false;
    bool systemd_cgroup = false;
    std::string rootless = "auto";  // "true", "false" or "auto"
};

struct CreateOptions {
    std::string id;
    std::string bundle;  // absolute; the caller's cwd when --bundle is absent
    std::string console_socket;
    std::string pid_file;  // absolute, already resolved against the caller's cwd
    std::string pidfd_socket;
    bool no_pivot = false;
    bool no_new_keyring = false;
    int preserve_fds = 0;
};

struct RunOptions {
    CreateOptions create;
    bool detach = false;
    bool keep = false;
    bool no_subreaper = false;
};

struct ExecOptions {
    std::string id;
    std::string process_file;  // --process; empty when the command is given as arguments
    std::vector<std::string> args;
    std::string console_socket;
    std::string pidfd_socket;
    std::string pid_file;
    std::string cwd;
    std::vector<std::string> env;
    std::string user;  // "uid[:gid]"
    std::vector<uint32_t> additional_gids;
    std::vector<std::string> caps;
    std::string apparmor;
    std::string process_label;
    std::vector<std::string> cgroup;  // --cgroup [controller:]path, repeatable
    bool tty = false;
    bool detach = false;
    bool no_new_privs = false;
    bool ignore_paused = false;
    int preserve_fds = 0;
};

// Each throws Error on failure; the front end logs it and sets the exit status.
void create(const GlobalOptions& global, const CreateOptions& options);
void start(const GlobalOptions& global, const std::string& id);
// Returns the container's exit status (128+N when killed by signal N), or 0 when detached.
int run(const GlobalOptions& global, const RunOptions& options);
// Returns the process's exit status, or 0 when detached.
int exec(const GlobalOptions& global, const ExecOptions& options);
void kill(const GlobalOptions& global, const std::string& id, int signal, bool all);
// `delete`; named so because `delete` is a C++ keyword.
void remove(const GlobalOptions& global, const std::string& id, bool force);
// Returns the host pids of every process in the container's cgroup.
std::vector<pid_t> pids(const GlobalOptions& global, const std::string& id);
void pause(const GlobalOptions& global, const std::string& id);
void resume(const GlobalOptions& global, const std::string& id);

}  // namespace ocirun::container
