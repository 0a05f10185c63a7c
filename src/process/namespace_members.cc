// Listing and signalling a container's processes by namespace membership.
#include "process/namespace_members.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "base/error.h"
#include "terminal/unique_fd.h"

namespace ocirun::process {

namespace {

// The kernel nests pid and user namespaces at most 32 levels below the initial one.
constexpr int kMaxNamespaceDepth = 33;

struct NamespaceId {
    dev_t device = 0;
    ino_t inode = 0;
    bool operator==(const NamespaceId&) const = default;
};

NamespaceId namespace_id(int fd) {
    struct stat status {};
    if (fstat(fd, &status) != 0) {
        return {};
    }
    return {status.st_dev, status.st_ino};
}

int open_namespace(const std::string& pid, const std::string& type) {
    std::string path = "/proc/" + pid + "/ns/" + type;
    return open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

// The namespace of init that contains the container's processes (pid or user), with its
// identity and that of the caller's namespace of the same type.
struct Membership {
    std::string type;
    NamespaceId container;
    NamespaceId caller;

    // True when `pid`'s namespace is the container's or lies below it. The walk up through
    // NS_GET_PARENT ends at the caller's namespace or where the kernel refuses (EPERM) to
    // go above the caller's.
    bool contains(const std::string& pid) const {
        terminal::UniqueFd fd(open_namespace(pid, type));
        if (fd.get() < 0) {
            return false;
        }
        for (int depth = 0; depth < kMaxNamespaceDepth; ++depth) {
            NamespaceId current = namespace_id(fd.get());
            if (current == container) {
                return true;
            }
            if (current == caller) {
                return false;
            }
            int parent = ioctl(fd.get(), NS_GET_PARENT);
            if (parent < 0) {
                return false;
            }
            fd.reset(parent);
        }
        return false;
    }
};

NamespaceId required_namespace(const std::string& pid, const std::string& type) {
    terminal::UniqueFd fd(open_namespace(pid, type));
    if (fd.get() < 0) {
        throw_errno("open " + quote("/proc/" + pid + "/ns/" + type));
    }
    return namespace_id(fd.get());
}

Membership membership_of(pid_t init_pid) {
    std::string init = std::to_string(init_pid);
    for (const char* type : {"pid", "user"}) {
        NamespaceId container = required_namespace(init, type);
        NamespaceId caller = required_namespace("self", type);
        if (container != caller) {
            return Membership{type, container, caller};
        }
    }
    throw_error("process " + init +
                " shares the pid and user namespaces of ocirun, so without a cgroup the "
                "container's other processes cannot be distinguished from the host's");
}

bool is_pid_name(const std::string& name) {
    return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

// Calls `visit(pid, name)` for each process in /proc other than `init_pid`; `name` is the
// pid as its /proc directory spells it.
template <typename Visit>
void for_each_other_pid(pid_t init_pid, Visit visit) {
    std::error_code error;
    std::filesystem::directory_iterator entries("/proc", error);
    if (error) {
        throw_errno("list /proc", error.value());
    }
    for (const auto& entry : entries) {
        std::string name = entry.path().filename().string();
        if (!is_pid_name(name)) {
            continue;
        }
        pid_t pid = static_cast<pid_t>(std::stol(name));
        if (pid != init_pid) {
            visit(pid, name);
        }
    }
}

}  // namespace

std::vector<pid_t> container_members(pid_t init_pid) {
    Membership membership = membership_of(init_pid);
    std::vector<pid_t> members = {init_pid};
    for_each_other_pid(init_pid, [&](pid_t pid, const std::string& name) {
        if (membership.contains(name)) {
            members.push_back(pid);
        }
    });
    return members;
}

size_t signal_container_members(pid_t init_pid, int signal) {
    Membership membership = membership_of(init_pid);
    size_t signalled = 0;
    auto signal_one = [&](pid_t pid, const std::string& name) {
        terminal::UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
        if (pidfd.get() < 0 || !membership.contains(name)) {
            return;
        }
        if (syscall(SYS_pidfd_send_signal, pidfd.get(), signal, nullptr, 0) == 0) {
            ++signalled;
        } else if (errno != ESRCH) {
            throw_errno("send signal " + std::to_string(signal) + " to process " + name);
        }
    };
    // Init goes last, because once it dies of a fatal signal the kernel kills the rest of its
    // pid namespace with SIGKILL before they could handle `signal`.
    for_each_other_pid(init_pid, signal_one);
    signal_one(init_pid, std::to_string(init_pid));
    return signalled;
}

}  // namespace ocirun::process
