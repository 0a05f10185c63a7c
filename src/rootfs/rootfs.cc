// prepare_rootfs and enter_rootfs: the order of the rootfs steps, as runc takes them.
#include "rootfs/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>

#include <climits>
#include <cstdlib>

#include "base/error.h"
#include "base/text.h"
#include "rootfs/devices.h"
#include "rootfs/masked_paths.h"
#include "rootfs/mount_options.h"
#include "rootfs/mountinfo.h"
#include "rootfs/mounts.h"
#include "rootfs/pivot.h"
#include "rootfs/safe_path.h"

namespace ocirun::rootfs {
namespace {

std::string real_path(const std::string& path) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) {
        throw_errno("resolve rootfs " + quote(path));
    }
    return resolved;
}

bool is_dev_mount(const spec::Mount& mount) {
    return clean_path(mount.destination) == "/dev";
}

bool is_bind(const spec::Mount& mount) {
    return mount.type == "bind" || parse_mount_options(mount.options).is_bind();
}

// Like runc, /dev gets devices and links unless the config binds a directory over it.
bool needs_dev_setup(const spec::Spec& spec) {
    for (const spec::Mount& mount : spec.mounts) {
        if (is_dev_mount(mount) && is_bind(mount)) {
            return false;
        }
    }
    return true;
}

// A read-only /dev filesystem is mounted read-write until its devices exist, then made
// read-only by enter_rootfs.
bool is_read_only_dev(const spec::Mount& mount) {
    return is_dev_mount(mount) && !is_bind(mount) &&
           (parse_mount_options(mount.options).flags & MS_RDONLY) != 0;
}

spec::Mount writable_copy(const spec::Mount& mount) {
    spec::Mount copy = mount;
    copy.options.push_back("rw");
    return copy;
}

bool in_user_namespace(const spec::Spec& spec) {
    if (spec.linux_config && spec.linux_config->has_namespace(spec::NamespaceType::user)) {
        return true;
    }
    return is_user_namespace_map(read_text_file("/proc/self/uid_map"));
}

// pivot_root refuses a new root whose parent mount is shared, and a bind under a shared
// parent would propagate to the host, so that parent is made private first.
void make_parent_mount_private(const std::string& rootfs, const std::vector<MountInfo>& mounts) {
    const MountInfo* parent = nullptr;
    for (const MountInfo& mount : mounts) {
        const std::string& point = mount.mount_point;
        bool contains = point == "/" || rootfs == point || rootfs.starts_with(point + "/");
        if (contains && (parent == nullptr || point.size() >= parent->mount_point.size())) {
            parent = &mount;
        }
    }
    if (parent == nullptr) {
        return;
    }
    for (const std::string& field : parent->optional_fields) {
        if (field.starts_with("shared:")) {
            if (::mount(nullptr, parent->mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) {
                throw_errno("make " + quote(parent->mount_point) + " private");
            }
            return;
        }
    }
}

// Returns the mounts of the new mount namespace, read after their propagation was set.
std::vector<MountInfo> prepare_root(const spec::Spec& spec, const std::string& rootfs) {
    std::string propagation_name =
        spec.linux_config ? spec.linux_config->rootfs_propagation : std::string();
    unsigned long propagation = parse_propagation(propagation_name);
    if (propagation == 0) {
        propagation = MS_SLAVE | MS_REC;
    }
    if (::mount(nullptr, "/", nullptr, propagation, nullptr) != 0) {
        throw_errno("set the propagation of " + quote("/"));
    }
    std::vector<MountInfo> mounts = read_mountinfo();
    make_parent_mount_private(rootfs, mounts);
    if (::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        throw_errno("bind " + quote(rootfs) + " onto itself");
    }
    return mounts;
}

Fd open_root(const std::string& path) {
    Fd root(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) {
        throw_errno("open " + quote(path));
    }
    return root;
}

void set_up_dev(const spec::Spec& spec, int root_fd) {
    std::vector<spec::Device> configured;
    if (spec.linux_config) {
        configured = spec.linux_config->devices;
    }
    std::vector<spec::Device> devices = default_devices(configured);
    devices.insert(devices.end(), configured.begin(), configured.end());
    create_devices(root_fd, devices, in_user_namespace(spec));
    create_dev_links(root_fd);
}

void remount_root_read_only() {
    Fd root = open_root("/");
    remount_read_only(root.get(), "/");
}

}  // namespace

void prepare_rootfs(const spec::Spec& spec, const RootfsOptions& options) {
    std::string rootfs = real_path(options.rootfs);
    std::vector<MountInfo> host_mounts = prepare_root(spec, rootfs);

    // NOTE: linux.mountLabel reaches `mounts` as a context= option (process::run_init adds it).
    // The tmpfs over masked directories and of a v1 cgroup mount get no label, and tmpcopyup
    // splits a label that contains commas.
    // Opened after the self-bind, so lookups from it see the mounts made below.
    Fd root = open_root(rootfs);
    MountContext context{root.get(), &spec, &options, &host_mounts};
    for (const spec::Mount& mount : spec.mounts) {
        mount_entry(context, is_read_only_dev(mount) ? writable_copy(mount) : mount);
    }
    if (needs_dev_setup(spec)) {
        set_up_dev(spec, root.get());
    }
}

void enter_rootfs(const spec::Spec& spec, const RootfsOptions& options) {
    std::string rootfs = real_path(options.rootfs);
    if (options.no_pivot) {
        move_root_to(rootfs);
    } else {
        pivot_to(rootfs);
    }

    // Applied again on the new `/`: before the switch it would have reached the host's root.
    if (spec.linux_config && !spec.linux_config->rootfs_propagation.empty()) {
        unsigned long propagation = parse_propagation(spec.linux_config->rootfs_propagation);
        if (::mount(nullptr, "/", nullptr, propagation, nullptr) != 0) {
            throw_errno("set the propagation of " + quote("/"));
        }
    }
}

void finish_rootfs(const spec::Spec& spec) {
    Fd root = open_root("/");
    for (const spec::Mount& mount : spec.mounts) {
        if (is_read_only_dev(mount)) {
            Fd dev = open_in_root(root.get(), "/dev", O_PATH | O_DIRECTORY);
            remount_read_only(dev.get(), "/dev");
        }
    }
    if (spec.root && spec.root->readonly) {
        remount_root_read_only();
    }
    if (spec.linux_config) {
        for (const std::string& path : spec.linux_config->readonly_paths) {
            make_path_read_only(root.get(), path);
        }
        for (const std::string& path : spec.linux_config->masked_paths) {
            mask_path(root.get(), path);
        }
    }
}

}  // namespace ocirun::rootfs
