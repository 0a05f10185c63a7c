// Kernel parameters of the container (linux.sysctl): validation and writing under /proc/sys.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

bool starts_with(const std::string& text, const char* prefix) {
    return text.rfind(prefix, 0) == 0;
}

bool is_ipc_key(const std::string& key) {
    return starts_with(key, "kernel.msg") || key == "kernel.sem" ||
           starts_with(key, "kernel.shm") || starts_with(key, "fs.mqueue.");
}

// Returns the namespace whose entry makes `key` the container's own, as runc 1.1.5 accepts
// them; false when no namespace isolates the key.
bool find_key_namespace(const std::string& key, spec::NamespaceType& type) {
    if (starts_with(key, "net.")) {
        type = spec::NamespaceType::network;
    } else if (is_ipc_key(key)) {
        type = spec::NamespaceType::ipc;
    } else if (key == "kernel.hostname" || key == "kernel.domainname") {
        type = spec::NamespaceType::uts;
    } else {
        return false;
    }
    return true;
}

// Converts "net.ipv4.ip_forward" to "/proc/sys/net/ipv4/ip_forward". A `/` inside a component
// stands for a dot in the name, as sysctl(8) writes "net.ipv4.conf.eth0/1.forwarding" for the
// interface eth0.1. Empty, "." and ".." components are rejected so that a key cannot leave
// /proc/sys.
std::string sysctl_path(const std::string& key) {
    std::string path = "/proc/sys";
    size_t start = 0;
    while (true) {
        size_t dot = key.find('.', start);
        std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        std::replace(part.begin(), part.end(), '/', '.');
        if (part.empty() || part == "." || part == "..") {
            throw_error("invalid sysctl key " + quote(key), ErrorKind::invalid_spec);
        }
        path += "/" + part;
        if (dot == std::string::npos) {
            return path;
        }
        start = dot + 1;
    }
}

void write_sysctl(const std::string& key, const std::string& value) {
    const std::string path = sysctl_path(key);
    const std::string context =
        "write sysctl " + quote(key) + " (" + quote(value) + ") to " + quote(path);
    const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        throw_errno(context);
    }
    const ssize_t written = write(fd, value.data(), value.size());
    const int error = errno;
    close(fd);
    if (written != static_cast<ssize_t>(value.size())) {
        throw_errno(context, written < 0 ? error : EIO);
    }
}

}  // namespace

void apply_sysctl(const std::map<std::string, std::string>& sysctl) {
    for (const auto& [key, value] : sysctl) {
        write_sysctl(key, value);
    }
}

void validate_sysctl(const spec::Linux& linux_config) {
    for (const auto& [key, value] : linux_config.sysctl) {
        spec::NamespaceType type = spec::NamespaceType::mount;
        if (!find_key_namespace(key, type)) {
            // NOTE: as in runc 1.1.5, keys outside the net, ipc and uts namespaces are rejected.
            throw_error("sysctl " + quote(key) + " is not in a separate kernel namespace",
                        ErrorKind::invalid_spec);
        }
        if (!linux_config.has_namespace(type)) {
            throw_error("sysctl " + quote(key) + " requires a " + spec::namespace_type_name(type) +
                            " namespace, which the container shares with the host",
                        ErrorKind::invalid_spec);
        }
    }
}

}  // namespace ocirun::process
