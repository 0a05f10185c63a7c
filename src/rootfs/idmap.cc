// Id-mapped user namespaces for idmapped mounts.
#include "rootfs/idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.h"

namespace ocirun::rootfs {
namespace {

std::string format_mappings(const std::vector<spec::IdMapping>& mappings) {
    std::string text;
    for (const spec::IdMapping& mapping : mappings) {
        text += std::to_string(mapping.container_id) + " " + std::to_string(mapping.host_id) + " " +
                std::to_string(mapping.size) + "\n";
    }
    return text;
}

void write_map(pid_t pid, const char* name, const std::vector<spec::IdMapping>& mappings) {
    if (mappings.empty()) {
        return;
    }
    std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    std::string text = format_mappings(mappings);
    Fd file(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!file.valid()) {
        throw_errno("open " + quote(path));
    }
    ssize_t written = ::write(file.get(), text.data(), text.size());
    if (written != static_cast<ssize_t>(text.size())) {
        throw_errno("write " + quote(path) + " for an idmapped mount");
    }
}

// Waits for the holder child, which exits as soon as the pipe's write end closes.
void reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

Fd make_mapped_user_namespace(const std::vector<spec::IdMapping>& uid_mappings,
                              const std::vector<spec::IdMapping>& gid_mappings) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw_errno("pipe for an idmapped mount");
    }
    Fd read_end(pipe_fds[0]);
    Fd write_end(pipe_fds[1]);

    // A raw clone without CLONE_VM behaves like fork, and the child is born in its own user
    // namespace, so no handshake is needed before the parent writes the maps.
    long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid < 0) {
        throw_errno("clone a user namespace for an idmapped mount");
    }
    if (pid == 0) {
        write_end.reset();
        char byte = 0;
        while (::read(read_end.get(), &byte, 1) < 0 && errno == EINTR) {
        }
        ::_exit(0);
    }
    read_end.reset();

    auto child = static_cast<pid_t>(pid);
    try {
        write_map(child, "uid_map", uid_mappings);
        write_map(child, "gid_map", gid_mappings);
        std::string ns_path = "/proc/" + std::to_string(child) + "/ns/user";
        Fd user_ns(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!user_ns.valid()) {
            throw_errno("open " + quote(ns_path));
        }
        write_end.reset();
        reap(child);
        return user_ns;
    } catch (...) {
        ::kill(child, SIGKILL);
        reap(child);
        throw;
    }
}

}  // namespace ocirun::rootfs
