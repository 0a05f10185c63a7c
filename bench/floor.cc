// ocirun_floor: only the kernel work of one container with runc's default `spec` config, as a
// lower bound for what any runtime can take. No state, hooks, config parsing or checks.
// Usage: ocirun_floor BUNDLE   (runs BUNDLE/rootfs/bin/true and returns its exit status)
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/error.h"
#include "floor_cgroup.h"
#include "floor_rootfs.h"

namespace ocirun::bench {
namespace {

constexpr unsigned long kNamespaces =
    CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;

// The capabilities of runc's default config, in the bounding, effective and permitted sets.
constexpr int kKeptCapabilities[] = {CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};

// Drops every bounding capability not kept, then sets the effective and permitted sets.
// NOTE: the ambient set of the default config is left out. Raising it needs the capabilities
// in the inheritable set, which the default config leaves empty.
void set_capabilities() {
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        bool is_kept = false;
        for (int kept : kKeptCapabilities) {
            is_kept = is_kept || kept == cap;
        }
        if (!is_kept && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
            throw_errno("drop bounding capability " + std::to_string(cap));
        }
    }
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    for (int cap : kKeptCapabilities) {
        data[cap / 32].effective |= 1u << (cap % 32);
        data[cap / 32].permitted |= 1u << (cap % 32);
    }
    if (syscall(SYS_capset, &header, data) != 0) {
        throw_errno("capset");
    }
}

// Runs in the container process: joins the cgroup, then sets up the rootfs and the process
// attributes of the default config and executes /bin/true.
[[noreturn]] void run_container(const std::string& rootfs, const std::vector<Hierarchy>& cgroups) {
    try {
        join_cgroup(cgroups);
        prepare_rootfs(rootfs, cgroups);
        if (sethostname("runc", 4) != 0) {
            throw_errno("sethostname");
        }
        rlimit files{1024, 1024};
        if (setrlimit(RLIMIT_NOFILE, &files) != 0) {
            throw_errno("setrlimit RLIMIT_NOFILE");
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            throw_errno("set no_new_privs");
        }
        set_capabilities();
        char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
        char* envp[] = {
            const_cast<char*>("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            const_cast<char*>("TERM=xterm"), nullptr};
        execve(argv[0], argv, envp);
        throw_errno("execve `/bin/true`");
    } catch (const Error& error) {
        std::fprintf(stderr, "ocirun_floor: container: %s\n", error.what());
    }
    _exit(127);
}

int run_floor(const std::string& bundle) {
    char rootfs[PATH_MAX];
    std::string rootfs_path = bundle + "/rootfs";
    if (realpath(rootfs_path.c_str(), rootfs) == nullptr) {
        throw_errno("resolve " + quote(rootfs_path));
    }
    auto cgroups = find_hierarchies("ocirun-floor-" + std::to_string(getpid()));
    create_cgroup(cgroups);
    // A raw clone without a stack behaves like fork, with the namespaces made in the same call.
    pid_t pid = static_cast<pid_t>(syscall(SYS_clone, kNamespaces | SIGCHLD, 0, 0, 0, 0));
    if (pid < 0) {
        throw_errno("clone");
    }
    if (pid == 0) {
        run_container(rootfs, cgroups);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) {
        throw_errno("waitpid " + std::to_string(pid));
    }
    remove_cgroup(cgroups);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace
}  // namespace ocirun::bench

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s BUNDLE\n", argv[0]);
        return 2;
    }
    try {
        return ocirun::bench::run_floor(argv[1]);
    } catch (const ocirun::Error& error) {
        std::fprintf(stderr, "ocirun_floor: %s\n", error.what());
        return 1;
    }
}
