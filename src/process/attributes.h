// Process attributes the init stage applies before execve, each from its config.json field.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "spec/spec.h"

namespace ocirun::process {

// setgroups(additionalGids), setgid, setuid, and umask when set.
void apply_user(const spec::User& user);
// Throws on an rlimit the kernel rejects, naming it.
void apply_rlimits(const std::vector<spec::Rlimit>& rlimits);
void apply_scheduler(const spec::Scheduler& scheduler);
void apply_io_priority(const spec::IoPriority& io_priority);
// Pins the calling process to a cpu list such as "0-3,7".
void apply_cpu_affinity(const std::string& cpu_list);
void apply_oom_score_adj(int score);
void apply_personality(const spec::Personality& personality);
void apply_memory_policy(const spec::MemoryPolicy& policy);
void apply_no_new_privileges();
// Changes to `cwd` with the caller's credentials, before the switch to the container user, as
// runc 1.1 does. Root without CAP_DAC_OVERRIDE may then still start in a directory of another
// user. Returns false when permission is denied, so that the caller tries again as the
// container user with enter_working_directory. Throws on any other error. Both check that the
// new working directory is inside the container's root (a cwd reached through a leaked host
// fd would hand the container the host's tree, CVE-2024-21626).
bool try_enter_working_directory(const std::string& cwd);
// Changes to `cwd` as the container user and checks it as try_enter_working_directory does.
// Throws on any error.
void enter_working_directory(const std::string& cwd);
// Makes `uid` the owner of fds 0 to 2, keeping their group, so that a container user other
// than root owns its terminal and can reopen its stdio through /proc/self/fd, as runc's
// fixStdioPermissions does. /dev/null and fds already owned by `uid` are left alone.
void give_stdio_to_user(uint32_t uid);
// Clears the dumpable flag, so that a container process without CAP_SYS_PTRACE can neither
// ptrace this process nor open its /proc/PID/exe, fd, mem, cwd or root. execve sets the flag
// again for the container's program (CVE-2019-5736, CVE-2016-9962).
void make_non_dumpable();
// Joins a new session keyring named `name` (--no-new-keyring skips this).
void join_session_keyring(const std::string& name);
// Writes each key under /proc/sys of the calling process's namespaces.
void apply_sysctl(const std::map<std::string, std::string>& sysctl);
// Throws when a key needs a namespace the container shares with the host: net.* without a
// network namespace entry, ipc keys (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*)
// without an ipc entry, kernel.hostname/domainname without uts. A namespace joined by path is
// the container's own.
void validate_sysctl(const spec::Linux& linux_config);

// Returns the executable for args[0]: itself when it contains a `/`, else the first match on
// PATH from `env` (resolved in the calling process's root). Throws with "no such file or
// directory" or "permission denied" in the message, as podman and docker map them to exit
// codes 127 and 126.
std::string find_executable(const std::string& name, const std::vector<std::string>& env);

}  // namespace ocirun::process
