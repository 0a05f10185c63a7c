// Paths that a container image or process controls must not move the runtime's mounts, working
// directory or fds onto the host or onto procfs files. The cases: process.cwd through
// /proc/self/fd (CVE-2024-21626), /proc as a symlink (CVE-2019-19921), /dev/null and
// /dev/console as symlinks (CVE-2025-31133, CVE-2025-52565), a mount destination through a
// symlink into /proc, and symlink swaps racing the mounts (CVE-2021-30465).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harness.h"

namespace ocirun::testing {
namespace {

namespace fs = std::filesystem;

// Written into host directories that a leak could expose. It must never show in a container.
constexpr const char* kHostMarker = "HOST-ONLY-7f3a";

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// A writable copy of the busybox rootfs that a test may alter, removed on destruction.
class RootfsCopy {
  public:
    RootfsCopy() : dir_(make_temp_dir("ocirun-rootfs-copy")) {
        fs::copy(OCIRUN_ROOTFS, path(),
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    ~RootfsCopy() { fs::remove_all(dir_); }
    std::string path() const { return dir_ + "/rootfs"; }
    // Replaces `inside` (such as "/proc") with a symlink to `target`.
    void make_symlink(const std::string& inside, const std::string& target) const {
        fs::remove_all(path() + inside);
        fs::create_symlink(target, path() + inside);
    }

  private:
    std::string dir_;
};

void use_rootfs(TestContainer& container, const RootfsCopy& rootfs) {
    container.config["root"]["path"] = rootfs.path();
}

// Removes the mount at `destination` from the config.
void drop_mount(TestContainer& container, const std::string& destination) {
    auto& mounts = container.config["mounts"];
    for (size_t i = 0; i < mounts.size(); ++i) {
        if (mounts[i]["destination"] == destination) {
            mounts.erase(i);
            return;
        }
    }
}

// True when `path` is a mount point in the test's mount namespace.
bool is_mount_point(const std::string& path) {
    std::string mountinfo = read_file("/proc/self/mountinfo");
    return mountinfo.find(" " + path + " ") != std::string::npos;
}

TEST(SecurityPaths, CwdThroughProcFdStaysInside) {
    std::string host_dir = make_temp_dir("ocirun-host-marker");
    std::ofstream(host_dir + "/" + kHostMarker) << kHostMarker;
    for (int fd = 3; fd <= 9; ++fd) {
        TestContainer container({"/bin/sh", "-c", "pwd; ls -a; ls -a ..; ls -a ../../.."});
        container.config["process"]["cwd"] = "/proc/self/fd/" + std::to_string(fd);
        std::ofstream(container.bundle() + "/" + kHostMarker) << kHostMarker;
        std::ofstream(container.root() + "/" + kHostMarker) << kHostMarker;
        CommandResult result = container.run();
        SCOPED_TRACE("cwd /proc/self/fd/" + std::to_string(fd));
        EXPECT_EQ(result.out.find(kHostMarker), std::string::npos) << result.out;
        EXPECT_EQ(result.out.find("unreachable"), std::string::npos) << result.out;
        if (result.status == 0) {
            EXPECT_EQ(result.out.rfind("/proc/", 0), 0U) << result.out;
        }
    }
    fs::remove_all(host_dir);
}

// runc's CVE-2019-19921: with /proc a symlink, the procfs mount (and every later write under
// /proc) could land on a host directory.
TEST(SecurityPaths, ProcSymlinkToHostContained) {
    RootfsCopy rootfs;
    std::string host_dir = make_temp_dir("ocirun-host-proc");
    rootfs.make_symlink("/proc", "../../../../../../../../.." + host_dir);
    TestContainer container({"/bin/cat", "/proc/self/status"});
    use_rootfs(container, rootfs);
    CommandResult result = container.run();
    EXPECT_FALSE(is_mount_point(host_dir));
    EXPECT_TRUE(fs::is_empty(host_dir)) << "the runtime wrote into " << host_dir;
    if (result.status == 0) {
        EXPECT_NE(result.out.find("Name:\tcat"), std::string::npos) << result.out;
    }
    fs::remove_all(host_dir);
}

// With --no-pivot the host's /proc would stay in the container's mount namespace, and the
// kernel then lets a child user namespace mount a fresh procfs without maskedPaths.
TEST(SecurityPaths, NoPivotHidesHostProc) {
    TestContainer container(
        {"/usr/bin/unshare", "-mrpf", "/bin/sh", "-c", "mount -t proc none /proc && echo mounted"});
    for (const char* set : {"bounding", "permitted"}) {
        container.config["process"]["capabilities"][set].push_back("CAP_SETFCAP");
    }
    CommandResult result = container.run({"--no-pivot"});
    EXPECT_NE(result.status, 0);
    EXPECT_EQ(result.out.find("mounted"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("mount: permission denied"), std::string::npos) << result.err;
}

// runc's CVE-2025-31133: maskedPaths are covered with the container's /dev/null. If that is a
// symlink to a procfs file, the bind exposes the file, writable, at the masked path.
TEST(SecurityPaths, DevNullSymlinkDoesNotUnmask) {
    RootfsCopy rootfs;
    fs::create_directories(rootfs.path() + "/dev");
    rootfs.make_symlink("/dev/null", "/proc/sys/kernel/core_pattern");
    TestContainer container({"/bin/cat", "/proc/keys"});
    use_rootfs(container, rootfs);
    container.config["root"]["readonly"] = false;
    drop_mount(container, "/dev/pts");
    drop_mount(container, "/dev");
    CommandResult result = container.run();
    std::string core_pattern = read_file("/proc/sys/kernel/core_pattern");
    if (result.status == 0) {
        EXPECT_TRUE(result.out.empty()) << "the masked /proc/keys shows: " << result.out;
    }
    EXPECT_NE(result.out, core_pattern);
}

// runc's CVE-2025-52565: /dev/console bound over a symlink to a procfs file. Without a terminal
// the runtime must still leave /dev/console alone or replace it, never follow it.
TEST(SecurityPaths, DevConsoleSymlinkNotFollowed) {
    RootfsCopy rootfs;
    fs::create_directories(rootfs.path() + "/dev");
    rootfs.make_symlink("/dev/console", "/proc/sys/kernel/core_pattern");
    TestContainer container({"/bin/cat", "/proc/self/mountinfo"});
    use_rootfs(container, rootfs);
    drop_mount(container, "/dev/pts");
    drop_mount(container, "/dev");
    CommandResult result = container.run();
    EXPECT_EQ(result.out.find(" /proc/sys/kernel/core_pattern "), std::string::npos) << result.out;
}

// A mount destination that is a symlink into /proc must not put the mount over procfs files.
TEST(SecurityPaths, MountDestinationSymlinkIntoProc) {
    RootfsCopy rootfs;
    rootfs.make_symlink("/data", "/proc/sys/kernel");
    std::string host_dir = make_temp_dir("ocirun-host-volume");
    std::ofstream(host_dir + "/core_pattern") << kHostMarker;
    TestContainer container({"/bin/cat", "/proc/sys/kernel/core_pattern"});
    use_rootfs(container, rootfs);
    container.config["mounts"].push_back({{"destination", "/data"},
                                          {"type", "bind"},
                                          {"source", host_dir},
                                          {"options", {"rbind", "rw"}}});
    CommandResult result = container.run();
    EXPECT_EQ(result.out.find(kHostMarker), std::string::npos)
        << "a bind mount landed over /proc/sys/kernel";
    fs::remove_all(host_dir);
}

// runc's CVE-2021-30465: a process swaps a directory of a shared volume with a symlink to "/"
// while the runtime mounts below it. Every mount must land inside the rootfs, so each tmpfs
// mount shows in the container's mountinfo. A mount that went outside vanishes with the old
// root.
TEST(SecurityPaths, MountsRacingSymlinkSwap) {
    constexpr int kMounts = 8;
    std::string volume = make_temp_dir("ocirun-race-volume");
    fs::create_directories(volume + "/a");
    fs::create_directories(volume + "/b");
    for (int i = 0; i < kMounts; ++i) {
        fs::create_directories(volume + "/a/m" + std::to_string(i));
    }
    fs::create_symlink("/", volume + "/b-link");
    fs::remove_all(volume + "/b");
    fs::rename(volume + "/b-link", volume + "/b");

    pid_t swapper = fork();
    ASSERT_GE(swapper, 0);
    if (swapper == 0) {
        std::string a = volume + "/a";
        std::string b = volume + "/b";
        for (;;) {
            renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
        }
    }
    // A copy, because a mount that resolves through the symlink creates its directory in the
    // rootfs.
    RootfsCopy rootfs;
    int escaped = 0;
    int started = 0;
    for (int round = 0; round < 10; ++round) {
        TestContainer container({"/bin/cat", "/proc/self/mountinfo"});
        use_rootfs(container, rootfs);
        container.config["mounts"].push_back({{"destination", "/vol"},
                                              {"type", "bind"},
                                              {"source", volume},
                                              {"options", {"rbind", "rw"}}});
        for (int i = 0; i < kMounts; ++i) {
            container.config["mounts"].push_back({{"destination", "/vol/a/m" + std::to_string(i)},
                                                  {"type", "tmpfs"},
                                                  {"source", "race-" + std::to_string(i)},
                                                  {"options", {"size=64k"}}});
        }
        CommandResult result = container.run();
        if (result.status != 0) {
            continue;
        }
        ++started;
        for (int i = 0; i < kMounts; ++i) {
            if (result.out.find(" race-" + std::to_string(i) + " ") == std::string::npos) {
                ++escaped;
            }
        }
    }
    kill(swapper, SIGKILL);
    waitpid(swapper, nullptr, 0);
    fs::remove_all(volume);
    EXPECT_EQ(escaped, 0) << "mounts missing from " << started << " started containers";
    if (started == 0) {
        GTEST_SKIP() << "no container started while the volume was swapped";
    }
}

}  // namespace
}  // namespace ocirun::testing
