// Privileged tests of prepare_rootfs, enter_rootfs and finish_rootfs, each run in a child process
// with its own mount namespace over a temporary rootfs.
#include "rootfs/rootfs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "namespace_child.h"
#include "spec/default_config.h"
#include "spec/parse.h"

namespace ocirun::rootfs {
namespace {

using testing::expect_char_device;
using testing::expect_mount;
using testing::Failures;
using testing::find_mount;
using testing::fs_type_of;
using testing::read_link;
using testing::run_in_mount_namespace;
using testing::TempRootfs;

void report(const Failures& failures) {
    for (const std::string& failure : failures) {
        if (!failure.empty()) {
            ADD_FAILURE() << failure;
        }
    }
}

spec::Spec default_spec() {
    nlohmann::json json = nlohmann::json::parse(spec::default_config(false).dump());
    return spec::parse_config(json);
}

spec::Spec empty_spec() {
    spec::Spec spec;
    spec.root = spec::Root{"rootfs", false};
    spec.linux_config = spec::Linux{};
    spec.linux_config->namespaces.push_back({spec::NamespaceType::mount, ""});
    return spec;
}

spec::Mount make_mount(const std::string& destination, const std::string& type,
                       const std::string& source, std::vector<std::string> options) {
    spec::Mount mount;
    mount.destination = destination;
    mount.type = type;
    mount.source = source;
    mount.options = std::move(options);
    return mount;
}

bool exists(const std::string& path) {
    struct stat status {};
    return ::lstat(path.c_str(), &status) == 0;
}

void expect_true(Failures& failures, bool condition, const std::string& message) {
    if (!condition) {
        failures.push_back(message);
    }
}

// True on a v1 or hybrid host with the memory controller at /sys/fs/cgroup/memory.
bool has_v1_memory() {
    std::optional<MountInfo> memory = find_mount("/sys/fs/cgroup/memory");
    return memory && memory->fs_type == "cgroup";
}

TEST(PrepareRootfs, DefaultConfigMounts) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string disk_type = fs_type_of(temp.base());
    RootfsOptions options{temp.rootfs(), false, {}};
    spec::Spec spec = default_spec();
    std::string root = temp.rootfs();
    bool v1_memory = has_v1_memory();
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_mount(failures, root, disk_type, {});
        expect_mount(failures, root + "/proc", "proc", {"rw"});
        expect_mount(failures, root + "/dev", "tmpfs", {"nosuid"});
        expect_mount(failures, root + "/dev/pts", "devpts", {"nosuid", "noexec"});
        expect_mount(failures, root + "/dev/shm", "tmpfs", {"nosuid", "nodev", "noexec"});
        expect_mount(failures, root + "/dev/mqueue", "mqueue", {"nosuid", "nodev", "noexec"});
        expect_mount(failures, root + "/sys", "sysfs", {"ro", "nosuid", "nodev", "noexec"});
        expect_mount(failures, root + "/sys/fs/cgroup", "tmpfs", {"ro", "nosuid"});
        if (v1_memory) {
            expect_mount(failures, root + "/sys/fs/cgroup/memory", "cgroup", {"ro", "nosuid"});
            expect_mount(failures, root + "/sys/fs/cgroup/systemd", "cgroup", {"ro"});
        }
        expect_char_device(failures, root + "/dev/null", 1, 3, 0666);
        expect_char_device(failures, root + "/dev/zero", 1, 5, 0666);
        expect_char_device(failures, root + "/dev/full", 1, 7, 0666);
        expect_char_device(failures, root + "/dev/random", 1, 8, 0666);
        expect_char_device(failures, root + "/dev/urandom", 1, 9, 0666);
        expect_char_device(failures, root + "/dev/tty", 5, 0, 0666);
        expect_true(failures, read_link(root + "/dev/ptmx") == "pts/ptmx", "/dev/ptmx link");
        expect_true(failures, read_link(root + "/dev/fd") == "/proc/self/fd", "/dev/fd link");
        expect_true(failures, read_link(root + "/dev/stderr") == "/proc/self/fd/2",
                    "/dev/stderr link");
        struct stat dev_status {};
        ::stat((root + "/dev").c_str(), &dev_status);
        expect_true(failures, (dev_status.st_mode & 07777) == 0755, "/dev tmpfs mode 0755");
    }));
    EXPECT_TRUE(temp.mounts_below().empty());
}

TEST(EnterRootfs, PivotMasksAndReadOnly) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string disk_type = fs_type_of(temp.base());
    RootfsOptions options{temp.rootfs(), false, {}};
    spec::Spec spec = default_spec();
    spec.root->readonly = true;
    std::string base = temp.base();
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        enter_rootfs(spec, options);
        finish_rootfs(spec);
        char cwd[256] = {};
        expect_true(failures, ::getcwd(cwd, sizeof(cwd)) != nullptr && std::string(cwd) == "/",
                    "working directory is not /");
        expect_mount(failures, "/", disk_type, {"ro"});
        // The default config's proc has no nosuid, nodev or noexec to keep.
        expect_mount(failures, "/proc/sys", "proc", {"ro", "relatime"});
        expect_mount(failures, "/proc/irq", "proc", {"ro"});
        expect_mount(failures, "/proc/acpi", "tmpfs", {"ro"});
        expect_mount(failures, "/sys/firmware", "tmpfs", {"ro"});
        expect_char_device(failures, "/proc/keys", 1, 3, 0666);
        expect_char_device(failures, "/proc/timer_list", 1, 3, 0666);
        for (const MountInfo& mount : read_mountinfo()) {
            expect_true(failures, !mount.mount_point.starts_with(base),
                        "the old root is still mounted: " + mount.mount_point);
        }
        expect_true(failures, ::mkdir("/new", 0755) != 0 && errno == EROFS,
                    "mkdir in a read-only root did not fail with EROFS");
    }));
    EXPECT_TRUE(temp.mounts_below().empty());
}

TEST(PrepareRootfs, SymlinkDestinationStaysInside) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string host_target = temp.base() + "-host-target";
    std::string root = temp.rootfs();
    std::filesystem::create_symlink(host_target, root + "/evil");
    std::filesystem::create_directories(root + "/a/b");
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/evil", "tmpfs", "tmpfs", {"mode=700"}));
    spec.mounts.push_back(make_mount("/a/b/../../../../escape", "tmpfs", "tmpfs", {}));
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_mount(failures, root + host_target, "tmpfs", {});
        expect_mount(failures, root + "/escape", "tmpfs", {});
        expect_true(failures, !exists(host_target), "the mount created the host's target");
        expect_true(failures, !find_mount(host_target), "a tmpfs landed on the host's target");
        struct stat status {};
        ::stat((root + host_target).c_str(), &status);
        expect_true(failures, (status.st_mode & 07777) == 0700, "tmpfs mode=700 not applied");
    }));
    EXPECT_FALSE(exists(host_target));
    EXPECT_TRUE(temp.mounts_below().empty());
}

TEST(PrepareRootfs, DevSymlinkStaysInside) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string host_dev = temp.base() + "-host-dev";
    std::string root = temp.rootfs();
    std::filesystem::create_symlink(host_dev, root + "/dev");
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/dev", "tmpfs", "tmpfs", {"mode=755"}));
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_char_device(failures, root + host_dev + "/null", 1, 3, 0666);
        expect_true(failures, read_link(root + host_dev + "/ptmx") == "pts/ptmx",
                    "ptmx link not inside the rootfs");
        expect_true(failures, !exists(host_dev), "/dev setup reached the host");
    }));
    EXPECT_FALSE(exists(host_dev));
}

TEST(PrepareRootfs, ProcOnSymlinkRejected) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string root = temp.rootfs();
    std::filesystem::create_directories(root + "/elsewhere");
    std::filesystem::create_symlink("/elsewhere", root + "/proc");
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/proc", "proc", "proc", {}));
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        try {
            prepare_rootfs(spec, options);
            failures.push_back("proc was mounted through a symlink");
        } catch (const Error& error) {
            std::string message = error.what();
            expect_true(failures, message.find("symlink") != std::string::npos,
                        "unexpected message: " + message);
        }
        expect_true(failures, !find_mount(root + "/elsewhere"), "proc landed on the target");
    }));
}

TEST(PrepareRootfs, BindInsideProcRejected) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string root = temp.rootfs();
    std::filesystem::create_directories(temp.base() + "/source");
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/proc", "proc", "proc", {}));
    spec.mounts.push_back(make_mount("/proc/self/attr", "bind", temp.base() + "/source", {"bind"}));
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        try {
            prepare_rootfs(spec, options);
            failures.push_back("a bind below /proc was allowed");
        } catch (const Error& error) {
            std::string message = error.what();
            expect_true(failures, message.find("inside /proc") != std::string::npos,
                        "unexpected message: " + message);
        }
    }));
}

TEST(PrepareRootfs, ReadOnlyBindsAndFiles) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string disk_type = fs_type_of(temp.base());
    std::string root = temp.rootfs();
    std::string source = temp.base() + "/source";
    std::filesystem::create_directories(source + "/sub");
    std::ofstream(source + "/file") << "content";
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/data", "bind", source, {"rbind", "ro", "nosuid"}));
    spec.mounts.push_back(make_mount("/etc/hostname", "", source + "/file", {"bind"}));
    spec.mounts.push_back(make_mount("/data/sub", "tmpfs", "tmpfs", {}));
    spec.mounts.push_back(make_mount("/rdata", "bind", source, {"rbind", "rro"}));
    RootfsOptions options{root, false, {}};
    ::umask(077);
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_mount(failures, root + "/data", disk_type, {"ro", "nosuid"});
        expect_mount(failures, root + "/etc/hostname", disk_type, {"rw"});
        struct stat status {};
        ::stat((root + "/etc").c_str(), &status);
        expect_true(failures, (status.st_mode & 07777) == 0755, "created /etc is not 0755");
        std::ifstream hostname(root + "/etc/hostname");
        std::string content;
        hostname >> content;
        expect_true(failures, content == "content", "file bind shows `" + content + "`");
        int fd = ::open((root + "/data/new").c_str(), O_CREAT | O_WRONLY, 0644);
        expect_true(failures, fd < 0 && errno == EROFS, "wrote into a read-only bind");
        expect_mount(failures, root + "/rdata", disk_type, {"ro"});
    }));
    ::umask(022);
}

TEST(PrepareRootfs, RecursiveReadOnlyReachesSubmounts) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string disk_type = fs_type_of(temp.base());
    std::string root = temp.rootfs();
    std::string source = temp.base() + "/source";
    std::filesystem::create_directories(source + "/sub");
    spec::Spec spec = empty_spec();
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        // A submount in the source, so the rbind carries it along.
        if (::mount("tmpfs", (source + "/sub").c_str(), "tmpfs", 0, nullptr) != 0) {
            throw_errno("mount the source submount");
        }
        spec.mounts.push_back(make_mount("/top", "bind", source, {"rbind", "ro"}));
        spec.mounts.push_back(make_mount("/all", "bind", source, {"rbind", "rro"}));
        prepare_rootfs(spec, options);
        expect_mount(failures, root + "/top", disk_type, {"ro"});
        expect_mount(failures, root + "/top/sub", "tmpfs", {"rw"});
        expect_mount(failures, root + "/all", disk_type, {"ro"});
        expect_mount(failures, root + "/all/sub", "tmpfs", {"ro"});
    }));
}

TEST(PrepareRootfs, LinuxDevices) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string root = temp.rootfs();
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/dev", "tmpfs", "tmpfs", {"mode=755"}));
    spec::Device device;
    device.type = 'c';
    device.path = "/dev/sub/custom";
    device.major = 1;
    device.minor = 5;
    device.file_mode = 0600;
    device.uid = 1000;
    device.gid = 1001;
    spec.linux_config->devices.push_back(device);
    spec::Device fifo;
    fifo.type = 'p';
    fifo.path = "/dev/fifo";
    spec.linux_config->devices.push_back(fifo);
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_char_device(failures, root + "/dev/sub/custom", 1, 5, 0600);
        struct stat status {};
        ::lstat((root + "/dev/sub/custom").c_str(), &status);
        expect_true(failures, status.st_uid == 1000 && status.st_gid == 1001,
                    "device not owned by 1000:1001");
        ::lstat((root + "/dev/fifo").c_str(), &status);
        expect_true(failures, S_ISFIFO(status.st_mode), "/dev/fifo is not a fifo");
        expect_char_device(failures, root + "/dev/null", 1, 3, 0666);
    }));
}

TEST(PrepareRootfs, IdmappedBind) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string root = temp.rootfs();
    std::string source = temp.base() + "/source";
    std::filesystem::create_directories(source);
    std::ofstream(source + "/owned-by-root") << "x";
    spec::Spec spec = empty_spec();
    spec::Mount mount = make_mount("/mapped", "bind", source, {"bind"});
    mount.uid_mappings.push_back({0, 100000, 65536});
    mount.gid_mappings.push_back({0, 200000, 65536});
    spec.mounts.push_back(mount);
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        struct stat status {};
        if (::stat((root + "/mapped/owned-by-root").c_str(), &status) != 0) {
            failures.push_back("mapped file is missing");
            return;
        }
        expect_true(failures, status.st_uid == 100000,
                    "uid through the idmapped mount is " + std::to_string(status.st_uid));
        expect_true(failures, status.st_gid == 200000,
                    "gid through the idmapped mount is " + std::to_string(status.st_gid));
    }));
}

TEST(EnterRootfs, ReadOnlyPathKeepsFlags) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/proc", "proc", "proc", {"nosuid", "nodev", "noexec"}));
    spec.linux_config->readonly_paths = {"/proc/sys", "/proc/missing"};
    spec.linux_config->masked_paths = {"/proc/kcore-missing", "/proc/acpi"};
    RootfsOptions options{temp.rootfs(), true, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        enter_rootfs(spec, options);
        finish_rootfs(spec);
        expect_mount(failures, "/proc/sys", "proc", {"ro", "nosuid", "nodev", "noexec"});
        expect_mount(failures, "/proc", "proc", {"rw", "nosuid"});
        expect_mount(failures, "/proc/acpi", "tmpfs", {"ro"});
        expect_char_device(failures, "/dev/null", 1, 3, 0666);
    }));
}

TEST(PrepareRootfs, CgroupPathsChooseBindSource) {
    OCIRUN_REQUIRE_ROOT();
    if (!has_v1_memory()) {
        GTEST_SKIP() << "needs the v1 memory and name=systemd hierarchies of a hybrid host";
    }
    TempRootfs temp;
    std::string root = temp.rootfs();
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/sys/fs/cgroup", "cgroup", "cgroup", {"ro"}));
    RootfsOptions options{root, false, {{"memory", "/"}, {"name=systemd", "/"}}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        std::optional<MountInfo> memory = find_mount(root + "/sys/fs/cgroup/memory");
        if (!memory) {
            failures.push_back("no memory hierarchy in the cgroup mount");
            return;
        }
        expect_true(failures, memory->root == "/",
                    "memory hierarchy shows " + memory->root + ", expected /");
        expect_mount(failures, root + "/sys/fs/cgroup", "tmpfs", {"ro", "nosuid", "noexec"});
        expect_mount(failures, root + "/sys/fs/cgroup/systemd", "cgroup", {"ro"});
    }));
}

TEST(PrepareRootfs, TmpcopyupCopiesImage) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string root = temp.rootfs();
    std::filesystem::create_directories(root + "/etc/sub");
    std::ofstream(root + "/etc/sub/file") << "image";
    ::chmod((root + "/etc/sub/file").c_str(), 0640);
    ::chown((root + "/etc/sub/file").c_str(), 1000, 1000);
    std::filesystem::create_symlink("sub/file", root + "/etc/link");
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/etc", "tmpfs", "tmpfs", {"tmpcopyup", "mode=755", "ro"}));
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_mount(failures, root + "/etc", "tmpfs", {"ro"});
        std::ifstream file(root + "/etc/sub/file");
        std::string content;
        file >> content;
        expect_true(failures, content == "image", "copied file has `" + content + "`");
        struct stat status {};
        ::lstat((root + "/etc/sub/file").c_str(), &status);
        expect_true(failures, (status.st_mode & 07777) == 0640, "copied file mode");
        expect_true(failures, status.st_uid == 1000 && status.st_gid == 1000, "copied file owner");
        expect_true(failures, read_link(root + "/etc/link") == "sub/file", "copied symlink");
    }));
}

TEST(PrepareRootfs, BindRemountChangesFlags) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    std::string root = temp.rootfs();
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/x", "tmpfs", "tmpfs", {"nodev"}));
    spec.mounts.push_back(make_mount("/x", "", "", {"bind", "remount", "ro", "nosuid"}));
    RootfsOptions options{root, false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        expect_mount(failures, root + "/x", "tmpfs", {"ro", "nosuid", "nodev"});
    }));
}

TEST(EnterRootfs, ReadOnlyDevKeepsDevices) {
    OCIRUN_REQUIRE_ROOT();
    TempRootfs temp;
    spec::Spec spec = empty_spec();
    spec.mounts.push_back(make_mount("/proc", "proc", "proc", {}));
    spec.mounts.push_back(make_mount("/dev", "tmpfs", "tmpfs", {"nosuid", "ro", "mode=755"}));
    RootfsOptions options{temp.rootfs(), false, {}};
    report(run_in_mount_namespace([&](Failures& failures) {
        prepare_rootfs(spec, options);
        enter_rootfs(spec, options);
        finish_rootfs(spec);
        expect_mount(failures, "/dev", "tmpfs", {"ro", "nosuid"});
        expect_char_device(failures, "/dev/zero", 1, 5, 0666);
    }));
}

}  // namespace
}  // namespace ocirun::rootfs
