// runc's default mounts, /dev, pivot_root, masked and read-only paths, with no checks.
#include "floor_rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace ocirun::bench {
namespace {

struct Mount {
    const char* destination;
    const char* type;
    const char* source;
    unsigned long flags;
    const char* data;
};

// The mounts of `runc spec` (runc 1.1.5) apart from /sys/fs/cgroup, which mount_cgroups makes.
constexpr Mount kMounts[] = {
    {"/proc", "proc", "proc", 0, nullptr},
    {"/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"},
    {"/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
     "newinstance,ptmxmode=0666,mode=0620,gid=5"},
    {"/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k"},
    {"/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, nullptr},
    {"/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, nullptr},
};

constexpr unsigned long kCgroupFlags = MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME;

struct Device {
    const char* path;
    unsigned major;
    unsigned minor;
};

constexpr Device kDevices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

constexpr const char* kDeviceLinks[][2] = {
    {"/proc/self/fd", "/dev/fd"},       {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
    {"pts/ptmx", "/dev/ptmx"},          {"/proc/kcore", "/dev/core"},
};

constexpr const char* kMaskedPaths[] = {
    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi",
};

constexpr const char* kReadonlyPaths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

void mount_or_throw(const std::string& source, const std::string& target, const char* type,
                    unsigned long flags, const char* data) {
    if (mount(source.c_str(), target.c_str(), type, flags, data) != 0) {
        throw_errno("mount " + quote(source) + " on " + quote(target));
    }
}

void make_directory(const std::string& path) {
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        throw_errno("mkdir " + quote(path));
    }
}

// Remounts a bind mount read-only, keeping the nosuid, nodev and noexec flags the kernel locks.
void remount_readonly(const std::string& path) {
    struct statvfs fs {};
    if (statvfs(path.c_str(), &fs) != 0) {
        throw_errno("statvfs " + quote(path));
    }
    unsigned long kept = fs.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
    mount_or_throw("", path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | kept, nullptr);
}

// Mounts a tmpfs on /sys/fs/cgroup with a read-only bind of the container's cgroup of every
// hierarchy, as runc does on cgroup v1 without a cgroup namespace.
void mount_cgroups(const std::string& rootfs, const std::vector<Hierarchy>& hierarchies) {
    std::string cgroup_root = rootfs + "/sys/fs/cgroup";
    mount_or_throw("tmpfs", cgroup_root, "tmpfs", kCgroupFlags, "mode=755");
    for (const auto& hierarchy : hierarchies) {
        std::string target =
            cgroup_root + hierarchy.mount_point.substr(hierarchy.mount_point.rfind('/'));
        make_directory(target);
        mount_or_throw(hierarchy.cgroup_dir, target, nullptr, MS_BIND | MS_REC, nullptr);
        mount_or_throw("", target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | kCgroupFlags,
                       nullptr);
    }
    mount_or_throw("", cgroup_root, nullptr, MS_REMOUNT | MS_RDONLY | kCgroupFlags, "mode=755");
}

void make_devices(const std::string& rootfs) {
    umask(0);
    for (const auto& device : kDevices) {
        std::string path = rootfs + device.path;
        if (mknod(path.c_str(), S_IFCHR | 0666, makedev(device.major, device.minor)) != 0) {
            throw_errno("mknod " + quote(path));
        }
    }
    for (const auto& link : kDeviceLinks) {
        std::string path = rootfs + link[1];
        if (symlink(link[0], path.c_str()) != 0) {
            throw_errno("symlink " + quote(path));
        }
    }
    umask(022);
}

// Pivots into the current directory and detaches the old root, which stays stacked on "/".
void pivot_into_cwd() {
    int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (old_root < 0) {
        throw_errno("open `/`");
    }
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
        throw_errno("pivot_root");
    }
    if (fchdir(old_root) != 0) {
        throw_errno("fchdir to the old root");
    }
    mount_or_throw("", ".", nullptr, MS_SLAVE | MS_REC, nullptr);
    if (umount2(".", MNT_DETACH) != 0) {
        throw_errno("umount the old root");
    }
    close(old_root);
    if (chdir("/") != 0) {
        throw_errno("chdir `/`");
    }
}

void mask_paths() {
    for (const char* path : kMaskedPaths) {
        struct stat info {};
        if (stat(path, &info) != 0) {
            continue;  // a path missing on this kernel needs no mask
        }
        if (S_ISDIR(info.st_mode)) {
            mount_or_throw("tmpfs", path, "tmpfs", MS_RDONLY, nullptr);
        } else {
            mount_or_throw("/dev/null", path, nullptr, MS_BIND, nullptr);
        }
    }
}

void protect_paths() {
    for (const char* path : kReadonlyPaths) {
        if (access(path, F_OK) != 0) {
            continue;
        }
        mount_or_throw(path, path, nullptr, MS_BIND | MS_REC, nullptr);
        remount_readonly(path);
    }
}

}  // namespace

void prepare_rootfs(const std::string& rootfs, const std::vector<Hierarchy>& hierarchies) {
    mount_or_throw("", "/", nullptr, MS_SLAVE | MS_REC, nullptr);
    mount_or_throw(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr);
    for (const auto& entry : kMounts) {
        std::string target = rootfs + entry.destination;
        make_directory(target);
        mount_or_throw(entry.source, target, entry.type, entry.flags, entry.data);
    }
    mount_cgroups(rootfs, hierarchies);
    make_devices(rootfs);
    if (chdir(rootfs.c_str()) != 0) {
        throw_errno("chdir " + quote(rootfs));
    }
    pivot_into_cwd();
    mask_paths();
    protect_paths();
    remount_readonly("/");
}

}  // namespace ocirun::bench
