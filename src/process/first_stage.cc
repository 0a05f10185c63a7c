// The cloned process before init: namespaces joined by path, the user namespace and its id
// maps, the remaining new namespaces, and the fork of init when the namespaces need one.
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "base/error.h"
#include "process/attributes.h"
#include "process/init_stage.h"
#include "process/namespaces.h"
#include "process/sibling_fork.h"
#include "process/signal_reset.h"
#include "process/sync_protocol.h"
#include "security/messages.h"

namespace ocirun::process {

namespace {

struct JoinedNamespace {
    spec::NamespaceType type;
    std::string path;
    int fd;
};

// Opens every namespace given by path first, because joining the mount namespace changes what
// later paths name. The user namespace comes first, so the others are joined with its rights.
std::vector<JoinedNamespace> open_joined_namespaces(const spec::Linux& linux_config) {
    std::vector<JoinedNamespace> joined;
    for (const auto& ns : linux_config.namespaces) {
        if (ns.path.empty()) {
            continue;
        }
        JoinedNamespace entry{ns.type, ns.path, open_namespace(ns.path, ns.type)};
        if (ns.type == spec::NamespaceType::user) {
            joined.insert(joined.begin(), entry);
        } else {
            joined.push_back(entry);
        }
    }
    return joined;
}

void join_namespaces(const spec::Linux& linux_config) {
    for (const auto& ns : open_joined_namespaces(linux_config)) {
        join_namespace(ns.fd, ns.type, ns.path);
        close(ns.fd);
    }
}

bool makes_namespace(const spec::Linux& linux_config, spec::NamespaceType type) {
    const spec::Namespace* ns = linux_config.find_namespace(type);
    return ns != nullptr && ns->path.empty();
}

void become_root_if_user_namespace(const spec::Linux& linux_config) {
    if (!makes_namespace(linux_config, spec::NamespaceType::user)) {
        return;
    }
    if (setresgid(0, 0, 0) != 0) {
        throw_errno("setresgid to root in the user namespace (is gid 0 mapped?)");
    }
    if (setresuid(0, 0, 0) != 0) {
        throw_errno("setresuid to root in the user namespace (is uid 0 mapped?)");
    }
}

void make_user_namespace(const spec::Linux& linux_config, int clone_flags, const SyncSocket& sync) {
    if (!makes_namespace(linux_config, spec::NamespaceType::user)) {
        return;
    }
    if ((clone_flags & CLONE_NEWUSER) == 0 && unshare(CLONE_NEWUSER) != 0) {
        throw_errno("unshare user namespace");
    }
    sync.send(SyncMessage::id_map_request);
    sync.expect(SyncMessage::id_map_done);
}

void make_other_namespaces(const spec::Linux& linux_config, int clone_flags) {
    int flags = 0;
    for (const auto& ns : linux_config.namespaces) {
        if (ns.path.empty() && ns.type != spec::NamespaceType::user) {
            flags |= clone_flag(ns.type);
        }
    }
    flags &= ~clone_flags;
    if (flags != 0 && unshare(flags) != 0) {
        throw_errno("unshare namespaces");
    }
    if (makes_namespace(linux_config, spec::NamespaceType::time)) {
        write_time_offsets(linux_config.time_offsets);
    }
}

// Closes every fd from `minimum` up except `keep` (ascending), so that nothing of the runtime's,
// such as the container lock, stays open in the container.
void close_fds_from(int minimum, std::initializer_list<int> keep) {
    unsigned next = static_cast<unsigned>(minimum);
    for (int fd : keep) {
        if (fd >= minimum) {
            if (static_cast<unsigned>(fd) > next) {
                syscall(SYS_close_range, next, static_cast<unsigned>(fd) - 1, 0);
            }
            next = static_cast<unsigned>(fd) + 1;
        }
    }
    syscall(SYS_close_range, next, ~0U, 0);
}

// Routes the security code's warnings and debug messages to the runtime, which logs them,
// because the child must not write the log itself. A message that cannot be sent is dropped.
void forward_messages(const SyncSocket& sync) {
    security::set_message_handler([sync](log::Level level, std::string_view message) {
        // The runtime's log settings are inherited, so debug records it would drop stay here.
        if (level == log::Level::debug && !log::debug_enabled()) {
            return;
        }
        SyncMessage type = level == log::Level::debug ? SyncMessage::debug : SyncMessage::warning;
        try {
            sync.send(type, message);
        } catch (const Error&) {
        }
    });
}

// Writes "0" to each v1 `tasks` file, which moves this process, single-threaded, into that
// cgroup.
void join_cgroups(const std::vector<std::string>& tasks_files) {
    for (const std::string& file : tasks_files) {
        int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            throw_errno("join cgroup: open " + quote(file));
        }
        ssize_t written = write(fd, "0", 1);
        int err = errno;
        close(fd);
        if (written != 1) {
            throw_errno("join cgroup: write " + quote("0") + " to " + quote(file), err);
        }
    }
}

}  // namespace

void run_cloned_process(const InitRequest& request, int sync_fd) {
    SyncSocket sync(sync_fd);
    try {
        reset_signals();
        forward_messages(sync);
        close_fds_from(first_unpassed_fd(request), {std::min(sync_fd, request.exec_fifo_fd),
                                                    std::max(sync_fd, request.exec_fifo_fd)});
        // Dies with the runtime, so that a killed `create` leaves no half-made container.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        const spec::Linux& linux_config = *request.spec->linux_config;
        int clone_flags = clone_namespace_flags(linux_config);

        StartMessage start = decode_start_message(sync.expect(SyncMessage::start).payload);
        // With join files this process moves itself now, so that the kernel memory of its
        // mounts is charged to the container. Otherwise the runtime has moved it before `start`,
        // or moves it meanwhile when nothing before the hooks and execve needs the cgroup.
        join_cgroups(start.join_files);
        const auto& affinity = request.spec->process->exec_cpu_affinity;
        if (affinity && !affinity->initial.empty()) {
            apply_cpu_affinity(affinity->initial);
        }

        if (needs_init_fork(linux_config)) {
            join_namespaces(linux_config);
            make_user_namespace(linux_config, clone_flags, sync);
            // timens_offsets is written first: after setresuid the process is no longer
            // dumpable, which makes its /proc files owned by the host's root.
            make_other_namespaces(linux_config, clone_flags);
            become_root_if_user_namespace(linux_config);
            // After the runtime wrote the id maps, which it cannot do to a non-dumpable process
            // when it runs unprivileged, and before init can share a pid namespace.
            make_non_dumpable();
            fork_sibling(sync, "container init");
        } else {
            make_user_namespace(linux_config, clone_flags, sync);
            join_namespaces(linux_config);
            make_other_namespaces(linux_config, clone_flags);
            become_root_if_user_namespace(linux_config);
            make_non_dumpable();
            if (reports_init_pid(linux_config)) {
                sync.send(SyncMessage::init_pid);
            }
        }
        run_init(request, sync_fd, start.cgroup_relative_paths);
    } catch (const Error& error) {
        sync.send_error(error);
    } catch (const std::exception& error) {
        sync.send_error(Error(error.what()));
    }
    _exit(1);
}

}  // namespace ocirun::process
