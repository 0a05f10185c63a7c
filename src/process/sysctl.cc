// Kernel parameters of the container (linux.sysctl): validation and writing under /proc/sys.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "base/error.h"
#include "process/attributes.h"
#include "security/procfs.h"

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

void write_sysctl(int proc_root, const std::string& key, const std::string& value) {
    const std::string path = sysctl_path(key);
    try {
        security::write_procfs_file_at(proc_root, path, value, O_WRONLY | O_TRUNC);
    } catch (const Error& error) {
        const std::string context =
            "write sysctl " + quote(key) + " (" + quote(value) + ") to " + quote(path);
        // With an errno, the key and path complete the message. Other errors keep their text.
        if (error.error_number() != 0) {
            throw_errno(context, error.error_number());
        }
        throw error.with_context(context);
    }
}

}  // namespace

// The keys are written through a procfs instance of its own, because /proc is the container's
// by now, and a bind mount or symlink of the image over a /proc/sys file could redirect a write.
void apply_sysctl(const std::map<std::string, std::string>& sysctl) {
    if (sysctl.empty()) {
        return;
    }
    const int proc_root = security::open_procfs_root();
    try {
        for (const auto& [key, value] : sysctl) {
            write_sysctl(proc_root, key, value);
        }
    } catch (...) {
        close(proc_root);
        throw;
    }
    close(proc_root);
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
