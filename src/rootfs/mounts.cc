// Bind mounts and filesystem mounts of config.json `mounts`, made onto fds in the rootfs.
#include "rootfs/mounts.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <array>
#include <cerrno>
#include <string_view>
#include <utility>

#include "base/error.h"
#include "rootfs/cgroup_mount.h"
#include "rootfs/idmap.h"
#include "rootfs/safe_path.h"
#include "rootfs/tmpcopyup.h"

namespace ocirun::rootfs {
namespace {

// The /proc files that lxcfs replaces with bind mounts; no other mount may go below /proc.
constexpr std::array<std::string_view, 10> kLxcfsProcFiles = {
    "/proc/cpuinfo", "/proc/diskstats",
    "/proc/meminfo", "/proc/stat",
    "/proc/swaps",   "/proc/uptime",
    "/proc/loadavg", "/proc/slabinfo",
    "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

void set_attributes(int mount_fd, bool recursive, mount_attr& attributes, const std::string& what) {
    unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (::mount_setattr(mount_fd, "", flags, &attributes, sizeof(attributes)) != 0) {
        throw_errno("set mount attributes (" + what + ")");
    }
}

void apply_recursive_attributes(int mount_fd, const MountOptions& options) {
    if (!options.has_recursive_attributes()) {
        return;
    }
    mount_attr attributes{};
    attributes.attr_set = options.recursive_set;
    attributes.attr_clr = options.recursive_clear;
    if (options.recursive_atime) {
        attributes.attr_clr |= MOUNT_ATTR__ATIME;
        attributes.attr_set |= *options.recursive_atime;
    }
    set_attributes(mount_fd, true, attributes, "recursive options");
}

void apply_propagation(int mount_fd, const MountOptions& options) {
    for (unsigned long propagation : options.propagation) {
        mount_attr attributes{};
        attributes.propagation = propagation & ~static_cast<unsigned long>(MS_REC);
        set_attributes(mount_fd, (propagation & MS_REC) != 0, attributes, "propagation");
    }
}

// Guards against CVE-2019-19921: procfs and sysfs must land on a real directory of the image,
// never on a symlink that a shared volume could swap.
void check_ordinary_directory(int root_fd, const std::string& destination,
                              const std::string& type) {
    Fd node = open_in_root_if_exists(root_fd, destination, O_PATH | O_NOFOLLOW);
    if (!node.valid()) {
        return;
    }
    struct stat status {};
    if (::fstat(node.get(), &status) != 0) {
        throw_errno("stat " + quote(destination));
    }
    if (!S_ISDIR(status.st_mode)) {
        throw_error(quote(type) + " must be mounted on an ordinary directory, but " +
                    quote(destination) + " is " +
                    (S_ISLNK(status.st_mode) ? "a symlink" : "not a directory"));
    }
}

bool is_procfs(const std::string& path) {
    struct statfs status {};
    return ::statfs(path.c_str(), &status) == 0 && status.f_type == PROC_SUPER_MAGIC;
}

Fd make_idmap_namespace(const MountContext& context, const spec::Mount& mount,
                        const MountOptions& options) {
    bool wanted = options.idmap || options.recursive_idmap || !mount.uid_mappings.empty() ||
                  !mount.gid_mappings.empty();
    if (!wanted) {
        return {};
    }
    std::vector<spec::IdMapping> uids = mount.uid_mappings;
    std::vector<spec::IdMapping> gids = mount.gid_mappings;
    // "idmap" alone maps the mount like the container's user namespace.
    if (uids.empty() && gids.empty() && context.spec->linux_config) {
        uids = context.spec->linux_config->uid_mappings;
        gids = context.spec->linux_config->gid_mappings;
    }
    if (uids.empty() || gids.empty()) {
        throw_error(
            "an idmapped mount needs uidMappings and gidMappings on the mount or in "
            "linux",
            ErrorKind::invalid_spec);
    }
    return make_mapped_user_namespace(uids, gids);
}

// Binds the host's instance where the kernel refuses a new one with EPERM: sysfs in a user
// namespace without its own network namespace, or mqueue without its own ipc namespace.
bool mount_fallback(int root_fd, const std::string& type, const std::string& destination,
                    const MountOptions& options) {
    std::string source;
    if (type == "sysfs") {
        source = "/sys";
    } else if (type == "mqueue") {
        source = "/dev/mqueue";
    } else {
        return false;
    }
    struct stat status {};
    if (::stat(source.c_str(), &status) != 0) {
        return false;
    }
    MountOptions bind_options = options;
    bind_options.flags |= MS_BIND | MS_REC;
    bind_into_root(root_fd, source, destination, bind_options);
    return true;
}

// Returns `attributes` changed to keep the flags the mount has now: in a user namespace the
// kernel locks nodev, nosuid, noexec, rdonly and the atime mode of a mount received from the
// parent namespace, and rejects clearing them with EPERM. runc keeps such flags too.
mount_attr keep_current_flags(int mount_fd, mount_attr attributes) {
    struct statvfs status {};
    if (::fstatvfs(mount_fd, &status) != 0) {
        return attributes;
    }
    const std::array<std::pair<unsigned long, uint64_t>, 4> flags = {{
        {ST_NODEV, MOUNT_ATTR_NODEV},
        {ST_NOSUID, MOUNT_ATTR_NOSUID},
        {ST_NOEXEC, MOUNT_ATTR_NOEXEC},
        {ST_RDONLY, MOUNT_ATTR_RDONLY},
    }};
    for (const auto& [statvfs_flag, attribute] : flags) {
        if ((status.f_flag & statvfs_flag) != 0 && (attributes.attr_clr & attribute) != 0) {
            attributes.attr_clr &= ~attribute;
            attributes.attr_set |= attribute;
        }
    }
    if ((attributes.attr_clr & MOUNT_ATTR__ATIME) != 0) {
        attributes.attr_clr &= ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
        attributes.attr_set &= ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
    }
    return attributes;
}

void set_top_attributes(int mount_fd, const MountOptions& options) {
    MountAttributes top = bind_attributes(options);
    if (top.set == 0 && top.clear == 0) {
        return;
    }
    mount_attr attributes{};
    attributes.attr_set = top.set;
    attributes.attr_clr = top.clear;
    if (::mount_setattr(mount_fd, "", AT_EMPTY_PATH, &attributes, sizeof(attributes)) == 0) {
        return;
    }
    if (errno != EPERM) {
        throw_errno("set mount attributes (bind options)");
    }
    mount_attr kept = keep_current_flags(mount_fd, attributes);
    set_attributes(mount_fd, false, kept, "bind options");
}

// "bind" with "remount" changes the flags of the mount already at the destination.
void remount_bind(int root_fd, const std::string& destination, const MountOptions& options) {
    Fd mounted = open_in_root(root_fd, destination, O_PATH);
    set_top_attributes(mounted.get(), options);
    apply_recursive_attributes(mounted.get(), options);
    apply_propagation(mounted.get(), options);
}

}  // namespace

void check_proc_destination(const std::string& resolved_destination, const std::string& source) {
    if (resolved_destination == "/proc") {
        if (source.empty() || is_procfs(source)) {
            return;
        }
        throw_error(quote(resolved_destination) + " cannot be mounted because " + quote(source) +
                    " is not of type proc");
    }
    if (!resolved_destination.starts_with("/proc/")) {
        return;
    }
    for (std::string_view allowed : kLxcfsProcFiles) {
        if (resolved_destination == allowed) {
            return;
        }
    }
    throw_error(quote(resolved_destination) + " cannot be mounted because it is inside /proc");
}

void bind_into_root(int root_fd, const std::string& source, const std::string& destination,
                    const MountOptions& options, int userns_fd) {
    if ((options.flags & MS_REMOUNT) != 0) {
        remount_bind(root_fd, destination, options);
        return;
    }
    struct stat source_status {};
    if (::stat(source.c_str(), &source_status) != 0) {
        throw_errno("stat " + quote(source));
    }
    ResolvedPath resolved_target = resolve_path_in_root(root_fd, destination);
    std::string resolved = resolved_target.path;
    check_proc_destination(resolved, source);
    NodeKind kind = S_ISDIR(source_status.st_mode) ? NodeKind::directory : NodeKind::file;
    Fd target = make_resolved_path_in_root(root_fd, std::move(resolved_target), kind);
    bind_onto(target.get(), source, resolved, options, userns_fd);
}

void bind_onto(int target_fd, const std::string& source, const std::string& destination,
               const MountOptions& options, int userns_fd) {
    bool recursive = options.is_recursive_bind();
    unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
    Fd tree(::open_tree(AT_FDCWD, source.c_str(), tree_flags));
    if (!tree.valid()) {
        throw_errno("open_tree " + quote(source));
    }
    if (userns_fd >= 0) {
        mount_attr idmap{};
        idmap.attr_set = MOUNT_ATTR_IDMAP;
        idmap.userns_fd = static_cast<uint64_t>(userns_fd);
        set_attributes(tree.get(), options.recursive_idmap, idmap, "idmap");
    }
    // Setting the attributes on the detached copy equals runc's MS_BIND | MS_REMOUNT remount of
    // the top mount, and keeps every flag the options do not name (such as a locked nosuid).
    set_top_attributes(tree.get(), options);
    apply_recursive_attributes(tree.get(), options);
    if (::move_mount(tree.get(), "", target_fd, "",
                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
        throw_errno("move_mount onto " + quote(destination));
    }
    apply_propagation(tree.get(), options);
}

void mount_into_root(int root_fd, const std::string& source, const std::string& type,
                     const std::string& destination, const MountOptions& options) {
    if (type == "proc" || type == "sysfs") {
        check_ordinary_directory(root_fd, destination, type);
    }
    ResolvedPath resolved_target = resolve_path_in_root(root_fd, destination);
    std::string resolved = resolved_target.path;
    if (type != "proc" && type != "sysfs") {
        check_proc_destination(resolved, source);
    }
    Fd target =
        make_resolved_path_in_root(root_fd, std::move(resolved_target), NodeKind::directory);

    const std::string& device = source.empty() ? type : source;
    if (options.tmpcopyup && type == "tmpfs") {
        Fd copy = make_tmpfs_copy(target.get(), device, options, resolved);
        if (::move_mount(copy.get(), "", target.get(), "",
                         MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
            throw_errno("move_mount onto " + quote(resolved));
        }
        apply_recursive_attributes(copy.get(), options);
        apply_propagation(copy.get(), options);
        return;
    }

    unsigned long flags = options.flags & ~static_cast<unsigned long>(MS_BIND | MS_REC);
    const char* data = options.data.empty() ? nullptr : options.data.c_str();
    if (::mount(device.c_str(), target.proc_path().c_str(), type.c_str(), flags, data) != 0) {
        int error = errno;
        if (error == EPERM && mount_fallback(root_fd, type, resolved, options)) {
            return;
        }
        throw_errno("mount " + quote(type) + " onto " + quote(resolved), error);
    }
    if (!options.has_recursive_attributes() && options.propagation.empty()) {
        return;
    }
    Fd mounted = open_in_root(root_fd, resolved, O_PATH);
    apply_recursive_attributes(mounted.get(), options);
    apply_propagation(mounted.get(), options);
}

void mount_entry(const MountContext& context, const spec::Mount& mount) {
    MountOptions options = parse_mount_options(mount.options);
    std::string destination = clean_path(mount.destination);
    try {
        if (mount.type == "cgroup") {
            mount_cgroup(context, mount, options);
        } else if (mount.type == "bind" || options.is_bind()) {
            options.flags |= MS_BIND;
            Fd userns = make_idmap_namespace(context, mount, options);
            bind_into_root(context.root_fd, mount.source, destination, options, userns.get());
        } else {
            mount_into_root(context.root_fd, mount.source, mount.type, destination, options);
        }
    } catch (const Error& error) {
        throw error.with_context("mount " + quote(mount.source) + " to " +
                                 quote(mount.destination));
    }
}

}  // namespace ocirun::rootfs
