// The runtime's side of an exec'd process and the helper that takes it into the container.
#include "process/exec_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <tuple>
#include <utility>

#include "base/error.h"
#include "process/attributes.h"
#include "process/exec_stage.h"
#include "process/namespaces.h"
#include "process/sibling_fork.h"
#include "process/signal_reset.h"
#include "process/sync_protocol.h"

namespace ocirun::process {

namespace {

void reap(pid_t pid) {
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

// Moves `fd` to a number at or above `minimum`, so that it cannot take the place of an fd
// passed to the process with --preserve-fds.
int move_fd_above(int fd, int minimum) {
    if (fd >= minimum) {
        return fd;
    }
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, minimum);
    int saved = errno;
    close(fd);
    if (moved < 0) {
        throw_errno("duplicate exec sync socket", saved);
    }
    return moved;
}

// Closes the runtime's directory fds (such as the state directory's lock) from `minimum` up,
// except `keep`, because an open host directory would let the process leave the container's
// root. Other fds stay open and close on execve.
void close_host_directories(int minimum, const std::vector<int>& keep) {
    std::vector<int> fds;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) {
        throw_errno("open /proc/self/fd");
    }
    while (dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.') {
            fds.push_back(std::atoi(entry->d_name));
        }
    }
    int own = dirfd(dir);
    for (int fd : fds) {
        struct stat status = {};
        bool kept = fd == own || std::find(keep.begin(), keep.end(), fd) != keep.end();
        if (fd >= minimum && !kept && fstat(fd, &status) == 0 && S_ISDIR(status.st_mode)) {
            close(fd);
        }
    }
    closedir(dir);
}

void enter_container(const std::vector<ExecNamespace>& namespaces, int root_fd) {
    for (const ExecNamespace& ns : namespaces) {
        join_namespace(ns.fd, ns.type, "/proc/PID/ns of the container's init");
        close(ns.fd);
    }
    // Init's root, not the mount namespace's, because a container made with --no-pivot lives
    // in a chroot inside its mount namespace.
    if (fchdir(root_fd) != 0) {
        throw_errno("enter the container's root");
    }
    if (chroot(".") != 0) {
        throw_errno("chroot to the container's root");
    }
    close(root_fd);
}

[[noreturn]] void run_helper(const ExecRequest& request,
                             const std::vector<ExecNamespace>& namespaces, int root_fd,
                             int sync_fd) {
    SyncSocket sync(sync_fd);
    try {
        reset_signals();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        // Before joining the container, whose processes could otherwise open this process's
        // /proc/PID/exe and fds.
        make_non_dumpable();
        close_host_directories(3 + request.preserve_fds, {root_fd});
        sync.expect(SyncMessage::start);
        enter_container(namespaces, root_fd);
        fork_sibling(sync, "the exec process");
        // Until the runtime reaps the helper, it counts against the cgroup's pids.max, so a
        // process forked meanwhile could fail under a limit that leaves room for it.
        sync.expect(SyncMessage::start);
        run_exec_stage(request, sync_fd);
    } catch (const Error& error) {
        sync.send_error(error);
    } catch (const std::exception& error) {
        sync.send_error(Error(error.what()));
    }
    _exit(1);
}

// Receives one frame and the fd attached to it, if any. Returns false at end-of-file.
bool receive_frame(int sync_fd, SyncFrame& frame, terminal::UniqueFd& attached) {
    std::string buffer(kMaxSyncPayload + 64, '\0');
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec io{buffer.data(), buffer.size()};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    ssize_t count;
    do {
        count = recvmsg(sync_fd, &message, MSG_CMSG_CLOEXEC);
    } while (count < 0 && errno == EINTR);
    if (count < 0) {
        throw_errno("receive from the exec process");
    }
    if (count == 0) {
        return false;
    }
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(header), sizeof(fd));
            attached.reset(fd);
        }
    }
    frame = decode_sync_frame(std::string_view(buffer.data(), static_cast<size_t>(count)));
    return true;
}

}  // namespace

ExecProcess ExecProcess::spawn(const ExecRequest& request) {
    std::string root_path = "/proc/" + std::to_string(request.init_pid) + "/root";
    int root_fd = open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) {
        throw_errno("open the container's root " + quote(root_path));
    }
    std::vector<ExecNamespace> namespaces;
    auto close_init_files = [&] {
        close(root_fd);
        for (const ExecNamespace& ns : namespaces) {
            close(ns.fd);
        }
    };

    int runtime_end = -1;
    int child_end = -1;
    try {
        namespaces = open_init_namespaces(request.init_pid);
        std::tie(runtime_end, child_end) = make_sync_socket_pair();
        int minimum = 3 + request.preserve_fds;
        runtime_end = move_fd_above(runtime_end, minimum);
        child_end = move_fd_above(child_end, minimum);
    } catch (...) {
        close_init_files();
        throw;
    }

    pid_t pid = fork();
    if (pid == 0) {
        close(runtime_end);
        run_helper(request, namespaces, root_fd, child_end);
    }
    int saved = errno;
    close(child_end);
    close_init_files();
    if (pid < 0) {
        close(runtime_end);
        throw_errno("fork the exec helper", saved);
    }
    return ExecProcess(pid, runtime_end);
}

ExecProcess::ExecProcess(ExecProcess&& other) noexcept
    : helper_pid_(std::exchange(other.helper_pid_, 0)),
      pid_(std::exchange(other.pid_, 0)),
      sync_fd_(std::exchange(other.sync_fd_, -1)) {}

ExecProcess::~ExecProcess() {
    if (sync_fd_ >= 0) {
        close(sync_fd_);
    }
    if (helper_pid_ > 0) {
        ::kill(helper_pid_, SIGKILL);
        reap(helper_pid_);
    }
}

pid_t ExecProcess::start() {
    SyncSocket sync(sync_fd_);
    sync.send(SyncMessage::start);
    SyncFrame frame = sync.expect(SyncMessage::init_pid);
    pid_ = static_cast<pid_t>(std::stol(frame.payload));
    reap(helper_pid_);
    helper_pid_ = 0;
    sync.send(SyncMessage::start);
    return pid_;
}

terminal::UniqueFd ExecProcess::wait_for_execve(
    const std::function<void(int notify_fd)>& on_seccomp_fd) {
    terminal::UniqueFd master;
    SyncFrame frame;
    terminal::UniqueFd attached;
    while (receive_frame(sync_fd_, frame, attached)) {
        if (log_message_frame(frame)) {
            continue;
        }
        switch (frame.type) {
            case SyncMessage::terminal:
                master = std::move(attached);
                break;
            case SyncMessage::seccomp_fd:
                if (!attached.valid()) {
                    throw_error("seccomp_fd message from the exec process without an fd");
                }
                on_seccomp_fd(attached.get());
                attached.reset();
                SyncSocket(sync_fd_).send(SyncMessage::seccomp_done);
                break;
            case SyncMessage::error:
                throw Error(frame.payload, frame.error_number, frame.kind);
            default:
                throw_error(std::string("unexpected message from the exec process: ") +
                            sync_message_name(frame.type));
        }
    }
    close(sync_fd_);
    sync_fd_ = -1;
    return master;
}

void ExecProcess::kill() {
    for (pid_t* pid : {&helper_pid_, &pid_}) {
        if (*pid > 0) {
            ::kill(*pid, SIGKILL);
            reap(*pid);
            *pid = 0;
        }
    }
}

}  // namespace ocirun::process
