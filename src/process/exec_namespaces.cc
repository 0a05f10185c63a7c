// Opening the namespaces of a container's init for `exec`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "base/error.h"
#include "process/exec_process.h"
#include "process/namespaces.h"

namespace ocirun::process {

namespace {

struct NamespaceFile {
    spec::NamespaceType type;
    const char* name;  // the file name under /proc/PID/ns
};

// The user namespace comes first, so that the others are joined with its rights. The mount
// namespace comes last, because joining it changes the root that later steps see.
constexpr NamespaceFile kJoinOrder[] = {
    {spec::NamespaceType::user, "user"}, {spec::NamespaceType::ipc, "ipc"},
    {spec::NamespaceType::uts, "uts"},   {spec::NamespaceType::network, "net"},
    {spec::NamespaceType::pid, "pid"},   {spec::NamespaceType::cgroup, "cgroup"},
    {spec::NamespaceType::time, "time"}, {spec::NamespaceType::mount, "mnt"},
};

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Returns the fd of init's namespace, or -1 when the calling process is already in it. Joining
// one's own user namespace fails with EINVAL, so equal ones are skipped.
int open_if_different(pid_t init_pid, const NamespaceFile& file) {
    std::string path = "/proc/" + std::to_string(init_pid) + "/ns/" + file.name;
    int fd = open_namespace(path, file.type);
    struct stat init_ns = {};
    struct stat own_ns = {};
    std::string own_path = std::string("/proc/self/ns/") + file.name;
    if (fstat(fd, &init_ns) != 0 || stat(own_path.c_str(), &own_ns) != 0) {
        int saved = errno;
        close(fd);
        throw_errno("stat namespace " + quote(path), saved);
    }
    if (same_file(init_ns, own_ns)) {
        close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

std::vector<ExecNamespace> open_init_namespaces(pid_t init_pid) {
    std::vector<ExecNamespace> namespaces;
    try {
        for (const NamespaceFile& file : kJoinOrder) {
            int fd = open_if_different(init_pid, file);
            if (fd >= 0) {
                namespaces.push_back({file.type, fd});
            }
        }
    } catch (...) {
        for (const ExecNamespace& ns : namespaces) {
            close(ns.fd);
        }
        throw;
    }
    return namespaces;
}

}  // namespace ocirun::process
