// Device nodes and standard links under the container's /dev.
#include "rootfs/devices.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <utility>

#include "base/error.h"
#include "rootfs/mount_options.h"
#include "rootfs/mounts.h"
#include "rootfs/safe_path.h"

namespace ocirun::rootfs {
namespace {

constexpr uint32_t kDefaultDeviceMode = 0666;

spec::Device char_device(const char* path, int64_t major, int64_t minor) {
    spec::Device device;
    device.type = 'c';
    device.path = path;
    device.major = major;
    device.minor = minor;
    device.file_mode = kDefaultDeviceMode;
    device.uid = 0;
    device.gid = 0;
    return device;
}

mode_t file_type(const spec::Device& device) {
    switch (device.type) {
        case 'b':
            return S_IFBLK;
        case 'p':
            return S_IFIFO;
        case 'c':
        case 'u':
            return S_IFCHR;
        default:
            throw_error("device " + quote(device.path) + ": invalid type " +
                            quote(std::string(1, device.type)) + ", expected c, b, u or p",
                        ErrorKind::invalid_spec);
    }
}

// Returns false when mknod is not allowed, so the caller binds the host's node instead.
bool make_node(int parent_fd, const std::string& name, const spec::Device& device) {
    mode_t mode = (device.file_mode.value_or(kDefaultDeviceMode) & 07777) | file_type(device);
    dev_t number = device.type == 'p' ? 0
                                      : makedev(static_cast<unsigned>(device.major),
                                                static_cast<unsigned>(device.minor));
    mode_t saved_umask = ::umask(0);
    int result = ::mknodat(parent_fd, name.c_str(), mode, number);
    int error = errno;
    ::umask(saved_umask);
    if (result != 0) {
        if (error == EEXIST) {
            return true;
        }
        if (error == EPERM) {
            return false;
        }
        throw_errno("mknod " + quote(device.path), error);
    }
    if (::fchownat(parent_fd, name.c_str(), device.uid.value_or(0), device.gid.value_or(0),
                   AT_SYMLINK_NOFOLLOW) != 0) {
        throw_errno("chown " + quote(device.path));
    }
    return true;
}

void bind_host_node(int root_fd, const spec::Device& device) {
    MountOptions options;
    options.flags = MS_BIND;
    bind_into_root(root_fd, device.path, device.path, options);
}

void make_link(int dev_fd, const std::string& target, const std::string& name) {
    if (::symlinkat(target.c_str(), dev_fd, name.c_str()) != 0 && errno != EEXIST) {
        throw_errno("symlink " + quote("/dev/" + name) + " to " + quote(target));
    }
}

}  // namespace

std::vector<spec::Device> default_devices(const std::vector<spec::Device>& configured) {
    std::array defaults = {
        char_device("/dev/null", 1, 3),    char_device("/dev/zero", 1, 5),
        char_device("/dev/full", 1, 7),    char_device("/dev/random", 1, 8),
        char_device("/dev/urandom", 1, 9), char_device("/dev/tty", 5, 0),
    };
    std::vector<spec::Device> devices;
    for (spec::Device& device : defaults) {
        bool replaced = false;
        for (const spec::Device& other : configured) {
            replaced = replaced || clean_path(other.path) == device.path;
        }
        if (!replaced) {
            devices.push_back(std::move(device));
        }
    }
    return devices;
}

void create_devices(int root_fd, const std::vector<spec::Device>& devices, bool bind) {
    for (const spec::Device& device : devices) {
        try {
            std::string name;
            Fd parent = make_parent_in_root(root_fd, device.path, name);
            if (bind || !make_node(parent.get(), name, device)) {
                bind_host_node(root_fd, device);
            }
        } catch (const Error& error) {
            throw error.with_context("create device " + quote(device.path));
        }
    }
}

void create_dev_links(int root_fd) {
    std::string name;
    Fd dev = make_parent_in_root(root_fd, "/dev/ptmx", name);
    // devpts's own ptmx follows the instance mounted at /dev/pts, which the host's node would
    // not.
    if (::unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT) {
        throw_errno("remove " + quote("/dev/ptmx"));
    }
    make_link(dev.get(), "pts/ptmx", "ptmx");

    std::array<std::pair<const char*, const char*>, 4> links = {{
        {"/proc/self/fd", "fd"},
        {"/proc/self/fd/0", "stdin"},
        {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"},
    }};
    for (const auto& [target, link] : links) {
        make_link(dev.get(), target, link);
    }
    if (::access("/proc/kcore", F_OK) == 0) {
        make_link(dev.get(), "/proc/kcore", "core");
    }
}

}  // namespace ocirun::rootfs
