// The `cgroup` mount type on v1, hybrid and unified hosts.
#include "rootfs/cgroup_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <optional>
#include <set>

#include "base/error.h"
#include "base/text.h"
#include "rootfs/mountinfo.h"
#include "rootfs/safe_path.h"

namespace ocirun::rootfs {
namespace {

// v1 super options that are settings rather than controllers.
const std::set<std::string> kNonControllerOptions = {
    "rw",           "ro", "none", "all", "xattr", "noprefix", "clone_children", "cpuset_v2_mode",
    "favordynmods",
};

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string text;
    for (const std::string& part : parts) {
        if (!text.empty()) {
            text += separator;
        }
        text += part;
    }
    return text;
}

std::optional<CgroupHierarchy> to_hierarchy(const MountInfo& mount) {
    if (mount.fs_type != "cgroup" && mount.fs_type != "cgroup2") {
        return std::nullopt;
    }
    CgroupHierarchy hierarchy;
    hierarchy.root = mount.root;
    hierarchy.mount_point = mount.mount_point;
    hierarchy.unified = mount.fs_type == "cgroup2";
    if (!hierarchy.unified) {
        for (const std::string& option : mount.super_options) {
            bool setting = kNonControllerOptions.contains(option) ||
                           (option.find('=') != std::string::npos && !option.starts_with("name="));
            if (!setting) {
                hierarchy.controllers.push_back(option);
            }
        }
    }
    return hierarchy;
}

std::string base_name(const std::string& path) {
    size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Returns the path of /proc/self/cgroup for the hierarchy, relative to its mount point.
std::optional<std::string> own_cgroup(const CgroupHierarchy& hierarchy) {
    for (const std::string& line : split(read_text_file("/proc/self/cgroup"), '\n')) {
        std::vector<std::string> fields = split(line, ':');
        if (fields.size() < 3) {
            continue;
        }
        bool matches = hierarchy.unified ? fields[1].empty() && fields[0] == "0"
                                         : split(fields[1], ',') == hierarchy.controllers;
        if (!matches) {
            continue;
        }
        std::string path = line.substr(fields[0].size() + fields[1].size() + 2);
        if (hierarchy.root != "/" && path.starts_with(hierarchy.root)) {
            path = path.substr(hierarchy.root.size());
        }
        return path;
    }
    return std::nullopt;
}

// Returns the container's cgroup in the hierarchy, relative to its mount point: from
// cgroup_paths by any of its controller names, else where this process is.
std::optional<std::string> container_cgroup(const MountContext& context,
                                            const CgroupHierarchy& hierarchy) {
    const std::map<std::string, std::string>& paths = context.options->cgroup_paths;
    std::vector<std::string> keys = hierarchy.controllers;
    if (hierarchy.unified) {
        keys.push_back("");
    }
    for (const std::string& key : keys) {
        auto found = paths.find(key);
        if (found == paths.end() && key.starts_with("name=")) {
            found = paths.find(key.substr(5));
        }
        if (found != paths.end()) {
            return found->second;
        }
    }
    return own_cgroup(hierarchy);
}

MountOptions bind_options_from(const MountOptions& options) {
    MountOptions bind = options;
    bind.flags |= MS_BIND | MS_REC;
    bind.data.clear();
    bind.propagation.clear();
    return bind;
}

// A named hierarchy with no controllers must be mounted as "none,name=...".
std::string cgroup_mount_data(const CgroupHierarchy& hierarchy) {
    bool named_only = true;
    for (const std::string& controller : hierarchy.controllers) {
        named_only = named_only && controller.starts_with("name=");
    }
    std::string data = join(hierarchy.controllers, ",");
    return named_only ? "none," + data : data;
}

// Mounts `hierarchy` on the directory `name` of the container's cgroup tmpfs, open at
// `directory_fd` and at `destination` in the root.
void mount_hierarchy(const MountContext& context, const CgroupHierarchy& hierarchy,
                     int directory_fd, const std::string& destination, const std::string& name,
                     const MountOptions& options, bool cgroup_namespace) {
    std::string path = destination + "/" + name;
    if (cgroup_namespace) {
        MountOptions mount_options = options;
        mount_options.propagation.clear();
        mount_options.data = hierarchy.unified ? "" : cgroup_mount_data(hierarchy);
        const char* type = hierarchy.unified ? "cgroup2" : "cgroup";
        mount_into_root(context.root_fd, type, type, path, mount_options);
        return;
    }
    std::optional<std::string> relative = container_cgroup(context, hierarchy);
    if (!relative) {
        return;
    }
    // The tmpfs is new and empty, so the directory is made right in it, with no lookup from
    // the root.
    Fd target = make_directory_at(directory_fd, name, path);
    bind_onto(target.get(), clean_path(hierarchy.mount_point + "/" + *relative), path,
              bind_options_from(options));
}

// Links each controller of a combined hierarchy to its directory, as "cpu" -> "cpu,cpuacct".
void link_combined(int directory_fd, const std::string& destination, const std::string& name) {
    if (name.find(',') == std::string::npos) {
        return;
    }
    for (const std::string& controller : split(name, ',')) {
        if (::symlinkat(name.c_str(), directory_fd, controller.c_str()) != 0 && errno != EEXIST) {
            throw_errno("symlink " + quote(destination + "/" + controller));
        }
    }
}

void mount_v1(const MountContext& context, const std::vector<CgroupHierarchy>& hierarchies,
              const std::string& destination, const MountOptions& options) {
    MountOptions tmpfs;
    tmpfs.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    tmpfs.data = "mode=755";
    tmpfs.propagation = options.propagation;
    mount_into_root(context.root_fd, "tmpfs", "tmpfs", destination, tmpfs);
    Fd directory = open_in_root(context.root_fd, destination, O_PATH | O_DIRECTORY);

    bool cgroup_namespace = context.spec->linux_config &&
                            context.spec->linux_config->has_namespace(spec::NamespaceType::cgroup);
    std::set<std::string> done;
    for (const CgroupHierarchy& hierarchy : hierarchies) {
        std::string name = base_name(hierarchy.mount_point);
        if (!done.insert(name).second) {
            continue;
        }
        mount_hierarchy(context, hierarchy, directory.get(), destination, name, options,
                        cgroup_namespace);
        link_combined(directory.get(), destination, name);
    }

    if ((options.flags & MS_RDONLY) != 0) {
        mount_attr read_only{};
        read_only.attr_set = MOUNT_ATTR_RDONLY;
        if (::mount_setattr(directory.get(), "", AT_EMPTY_PATH, &read_only, sizeof(read_only)) !=
            0) {
            throw_errno("remount " + quote(destination) + " read-only");
        }
    }
}

// NOTE: only run on hybrid hosts so far; the unified-only path is untested here.
void mount_v2(const MountContext& context, const CgroupHierarchy& unified,
              const std::string& destination, const MountOptions& options) {
    MountOptions mount_options = options;
    try {
        mount_into_root(context.root_fd, "cgroup2", "cgroup2", destination, mount_options);
        return;
    } catch (const Error& error) {
        // Without its own cgroup namespace a user namespace may not mount cgroup2.
        if (error.error_number() != EPERM && error.error_number() != EBUSY) {
            throw;
        }
    }
    std::optional<std::string> relative = container_cgroup(context, unified);
    std::string source = unified.mount_point + "/" + relative.value_or("");
    bind_into_root(context.root_fd, clean_path(source), destination, bind_options_from(options));
}

}  // namespace

std::vector<CgroupHierarchy> parse_cgroup_mounts(const std::string& mountinfo) {
    return cgroup_hierarchies(parse_mountinfo(mountinfo));
}

std::vector<CgroupHierarchy> cgroup_hierarchies(const std::vector<MountInfo>& mounts) {
    std::vector<CgroupHierarchy> hierarchies;
    for (const MountInfo& mount : mounts) {
        if (std::optional<CgroupHierarchy> hierarchy = to_hierarchy(mount)) {
            hierarchies.push_back(std::move(*hierarchy));
        }
    }
    return hierarchies;
}

void mount_cgroup(const MountContext& context, const spec::Mount& mount,
                  const MountOptions& options) {
    // From the mount table read before the container's own mounts, so that an earlier entry
    // that binds a cgroup directory into the rootfs is not taken for a hierarchy of the host.
    std::vector<CgroupHierarchy> hierarchies = cgroup_hierarchies(*context.host_mounts);
    std::string destination = clean_path(mount.destination);
    const CgroupHierarchy* unified = nullptr;
    bool has_v1 = false;
    for (const CgroupHierarchy& hierarchy : hierarchies) {
        has_v1 = has_v1 || !hierarchy.unified;
        if (hierarchy.unified && unified == nullptr) {
            unified = &hierarchy;
        }
    }
    if (has_v1) {
        mount_v1(context, hierarchies, destination, options);
    } else if (unified != nullptr) {
        mount_v2(context, *unified, destination, options);
    } else {
        throw_error("no cgroup hierarchy is mounted on this host", ErrorKind::unsupported);
    }
}

}  // namespace ocirun::rootfs
