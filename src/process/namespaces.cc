// Creating, joining and configuring namespaces.
#include "process/namespaces.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace ocirun::process {

namespace {

void write_file(const std::string& path, const std::string& content) {
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    ssize_t written = write(fd, content.data(), content.size());
    int saved = errno;
    close(fd);
    if (written < 0) {
        throw_errno("write " + quote(path), saved);
    }
    if (static_cast<size_t>(written) != content.size()) {
        throw_error("write " + quote(path) + ": short write");
    }
}

}  // namespace

int clone_flag(spec::NamespaceType type) {
    switch (type) {
        case spec::NamespaceType::pid:
            return CLONE_NEWPID;
        case spec::NamespaceType::network:
            return CLONE_NEWNET;
        case spec::NamespaceType::mount:
            return CLONE_NEWNS;
        case spec::NamespaceType::ipc:
            return CLONE_NEWIPC;
        case spec::NamespaceType::uts:
            return CLONE_NEWUTS;
        case spec::NamespaceType::user:
            return CLONE_NEWUSER;
        case spec::NamespaceType::cgroup:
            return CLONE_NEWCGROUP;
        case spec::NamespaceType::time:
            return CLONE_NEWTIME;
    }
    return 0;
}

int open_namespace(const std::string& path, spec::NamespaceType type) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno(std::string("open ") + spec::namespace_type_name(type) + " namespace " +
                    quote(path));
    }
    int actual = ioctl(fd, NS_GET_NSTYPE);
    int saved = errno;
    if (actual < 0) {
        close(fd);
        throw_errno(quote(path) + " is not a namespace", saved);
    }
    if (actual != clone_flag(type)) {
        close(fd);
        throw Error(quote(path) + " is not a " + spec::namespace_type_name(type) + " namespace",
                    EINVAL, ErrorKind::invalid_spec);
    }
    return fd;
}

void join_namespace(int fd, spec::NamespaceType type, const std::string& path) {
    if (setns(fd, clone_flag(type)) != 0) {
        throw_errno(std::string("join ") + spec::namespace_type_name(type) + " namespace " +
                    quote(path));
    }
}

std::string format_id_map(const std::vector<spec::IdMapping>& mappings) {
    std::string text;
    for (const auto& mapping : mappings) {
        text += std::to_string(mapping.container_id) + " " + std::to_string(mapping.host_id) + " " +
                std::to_string(mapping.size) + "\n";
    }
    return text;
}

void write_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uid_mappings,
                   const std::vector<spec::IdMapping>& gid_mappings, bool deny_setgroups) {
    std::string proc = "/proc/" + std::to_string(pid) + "/";
    if (deny_setgroups) {
        write_file(proc + "setgroups", "deny");
    }
    if (!uid_mappings.empty()) {
        write_file(proc + "uid_map", format_id_map(uid_mappings));
    }
    if (!gid_mappings.empty()) {
        write_file(proc + "gid_map", format_id_map(gid_mappings));
    }
}

std::string format_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets) {
    std::string text;
    for (const auto& [clock, offset] : offsets) {
        text += clock + " " + std::to_string(offset.secs) + " " + std::to_string(offset.nanosecs) +
                "\n";
    }
    return text;
}

void write_time_offsets(const std::map<std::string, spec::TimeOffset>& offsets) {
    if (!offsets.empty()) {
        write_file("/proc/self/timens_offsets", format_time_offsets(offsets));
    }
}

}  // namespace ocirun::process
