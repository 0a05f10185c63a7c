// Images and configs that try to move the runtime's mounts, devices and modes onto the host or
// onto the wrong files. The cases are /dev as a symlink to a host directory, mount destinations
// through absolute and `..` symlinks, tmpfs modes, and mount points created under a strict
// umask. Others are a /dev/null or /dev/console that the container controls (CVE-2025-31133,
// CVE-2025-52565) and linux.mountLabel on a host without SELinux.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "harness.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHostMarker = "HOST-ONLY-c41e";

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::set<std::string> list_directory(const std::string& path) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(path)) {
        names.insert(entry.path().filename().string());
    }
    return names;
}

bool is_mount_point(const std::string& path) {
    return read_file("/proc/self/mountinfo").find(" " + path + " ") != std::string::npos;
}

// A writable copy of the busybox rootfs that a test may alter, removed on destruction.
class ImageCopy {
  public:
    ImageCopy() : dir_(make_temp_dir("ocirun-image")) {
        fs::copy(OCIRUN_ROOTFS, path(),
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    ~ImageCopy() { fs::remove_all(dir_); }
    std::string path() const { return dir_ + "/rootfs"; }
    // Replaces `inside` (such as "/dev") with a symlink to `target`.
    void make_symlink(const std::string& inside, const std::string& target) const {
        fs::remove_all(path() + inside);
        fs::create_directories(fs::path(path() + inside).parent_path());
        fs::create_symlink(target, path() + inside);
    }

  private:
    std::string dir_;
};

void drop_mount(TestContainer& container, const std::string& destination) {
    auto& mounts = container.config["mounts"];
    for (size_t i = 0; i < mounts.size(); ++i) {
        if (mounts[i]["destination"] == destination) {
            mounts.erase(i);
            return;
        }
    }
}

// A host directory with the files a /dev setup would create or replace.
class HostDevDir {
  public:
    HostDevDir() : path_(make_temp_dir("ocirun-host-dev")) {
        std::ofstream(path_ + "/ptmx") << kHostMarker;
        std::ofstream(path_ + "/null") << kHostMarker;
    }
    ~HostDevDir() { fs::remove_all(path_); }
    const std::string& path() const { return path_; }
    void expect_unchanged() const {
        EXPECT_EQ(list_directory(path_), (std::set<std::string>{"null", "ptmx"}));
        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(path_ + "/ptmx")));
        EXPECT_EQ(read_file(path_ + "/ptmx"), kHostMarker);
        EXPECT_EQ(read_file(path_ + "/null"), kHostMarker);
        EXPECT_FALSE(is_mount_point(path_));
    }

  private:
    std::string path_;
};

// The image's /dev is an absolute symlink to a host directory holding a `ptmx`. With a /dev
// tmpfs in the config and without one, /dev setup must stay inside the rootfs.
TEST(ImagePaths, DevSymlinkToHostDirUnchanged) {
    for (bool dev_tmpfs : {true, false}) {
        SCOPED_TRACE(dev_tmpfs ? "with a /dev tmpfs" : "with the image's /dev");
        HostDevDir host_dev;
        ImageCopy image;
        image.make_symlink("/dev", host_dev.path());
        TestContainer container({"/bin/ls", "-l", "/dev/ptmx"});
        container.config["root"]["path"] = image.path();
        // The host directory is under /tmp, so a /tmp tmpfs would cover the /dev mounted there.
        drop_mount(container, "/tmp");
        if (!dev_tmpfs) {
            drop_mount(container, "/dev/pts");
            drop_mount(container, "/dev");
        }
        CommandResult result = container.run();
        host_dev.expect_unchanged();
        if (dev_tmpfs) {
            ASSERT_EQ(result.status, 0) << result.err;
        }
        if (result.status == 0) {
            EXPECT_NE(result.out.find("/dev/ptmx -> pts/ptmx"), std::string::npos) << result.out;
        }
    }
}

// A tmpfs destination that is an absolute symlink in the image lands at the symlink's target
// inside the rootfs, never at the same path on the host.
TEST(ImagePaths, TmpfsThroughAbsoluteSymlink) {
    ImageCopy image;
    std::string host_target = make_temp_dir("ocirun-host-target");
    fs::remove(host_target);
    image.make_symlink("/cache", host_target);
    TestContainer container({"/bin/sh", "-c", "grep ' " + host_target + " ' /proc/self/mountinfo"});
    container.config["root"]["path"] = image.path();
    container.config["mounts"].push_back(
        {{"destination", "/cache"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
    CommandResult result = container.run();
    EXPECT_FALSE(fs::exists(host_target)) << "the mount created the host's target";
    EXPECT_FALSE(is_mount_point(host_target));
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find(" tmpfs "), std::string::npos) << result.out;
}

// A bind destination that is a symlink to `/../../tmp/x` resolves to /tmp/x of the container.
TEST(ImagePaths, BindThroughDotDotSymlink) {
    ImageCopy image;
    std::string name = "ocirun-dotdot-" + std::to_string(getpid());
    std::string host_path = "/tmp/" + name;
    fs::remove_all(host_path);
    image.make_symlink("/attack/link", "/../../tmp/" + name);
    std::string source = make_temp_dir("ocirun-bind-source");
    std::ofstream(source + "/file") << kHostMarker;
    TestContainer container({"/bin/cat", "/tmp/" + name + "/file"});
    container.config["root"]["path"] = image.path();
    container.config["mounts"].push_back({{"destination", "/attack/link"},
                                          {"type", "bind"},
                                          {"source", source},
                                          {"options", {"rbind", "ro"}}});
    CommandResult result = container.run();
    EXPECT_FALSE(fs::exists(host_path)) << "the bind created " << host_path << " on the host";
    EXPECT_FALSE(is_mount_point(host_path));
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, kHostMarker);
    fs::remove_all(source);
}

// mode=1777 on a tmpfs over an existing 0755 directory gives 1777, so the directory's old mode
// must not be restored over it.
TEST(ImagePaths, TmpfsModeOverExistingDir) {
    ImageCopy image;
    fs::create_directories(image.path() + "/data");
    ASSERT_EQ(chmod((image.path() + "/data").c_str(), 0755), 0);
    TestContainer container({"/bin/stat", "-c", "%a", "/data"});
    container.config["root"]["path"] = image.path();
    container.config["mounts"].push_back({{"destination", "/data"},
                                          {"type", "tmpfs"},
                                          {"source", "tmpfs"},
                                          {"options", {"mode=1777"}}});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "1777\n");
}

// Mount points the runtime creates are 0755 whatever the runtime's umask.
TEST(ImagePaths, CreatedMountPointsUnderUmask077) {
    ImageCopy image;
    TestContainer container({"/bin/stat", "-c", "%a", "/new", "/new/dir", "/new/dir/mnt"});
    container.config["root"]["path"] = image.path();
    container.config["mounts"].push_back({{"destination", "/new/dir/mnt/sub"},
                                          {"type", "tmpfs"},
                                          {"source", "tmpfs"},
                                          {"options", {"mode=700"}}});
    mode_t previous = umask(077);
    CommandResult result = container.run();
    umask(previous);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "755\n755\n755\n");
}

// CVE-2025-31133: a config bind mount puts a host file at /dev/null. Masking /proc/keys with
// that file would show its content, so the masked path must not show it.
TEST(ImagePaths, MaskingIgnoresReplacedDevNull) {
    std::string host_dir = make_temp_dir("ocirun-fake-null");
    std::ofstream(host_dir + "/null") << kHostMarker;
    TestContainer container({"/bin/cat", "/proc/keys"});
    container.config["mounts"].push_back({{"destination", "/dev/null"},
                                          {"type", "bind"},
                                          {"source", host_dir + "/null"},
                                          {"options", {"bind", "rw"}}});
    CommandResult result = container.run();
    EXPECT_EQ(result.out.find(kHostMarker), std::string::npos) << result.out;
    EXPECT_EQ(read_file(host_dir + "/null"), kHostMarker);
    if (result.status != 0) {
        EXPECT_NE(result.err.find("/dev/null"), std::string::npos) << result.err;
    }
    fs::remove_all(host_dir);
}

terminal::UniqueFd listen_unix(const std::string& path) {
    terminal::UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (!socket.valid() ||
        bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(socket.get(), 1) != 0) {
        return terminal::UniqueFd();
    }
    return socket;
}

// Reads everything the container writes to its terminal until it closes, or for five seconds.
std::string read_terminal(int listener) {
    pollfd entry{listener, POLLIN, 0};
    if (poll(&entry, 1, 5000) != 1) {
        return "";
    }
    terminal::UniqueFd connection(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) {
        return "";
    }
    terminal::ReceivedFd received = terminal::receive_fd(connection.get());
    std::string output;
    for (;;) {
        pollfd master{received.fd.get(), POLLIN, 0};
        if (poll(&master, 1, 5000) != 1) {
            return output;
        }
        char buffer[4096];
        ssize_t count = read(received.fd.get(), buffer, sizeof(buffer));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            return output;
        }
        output.append(buffer, static_cast<size_t>(count));
    }
}

// CVE-2025-52565: with a terminal, the pty is bound over /dev/console. An image whose
// /dev/console is a symlink to a procfs file must not get the pty mounted over that file.
TEST(ImagePaths, ConsoleSymlinkWithTerminal) {
    ImageCopy image;
    fs::create_directories(image.path() + "/dev");
    image.make_symlink("/dev/console", "/proc/sys/kernel/core_pattern");
    TestContainer container({"/bin/cat", "/proc/self/mountinfo"});
    container.config["root"]["path"] = image.path();
    container.config["process"]["terminal"] = true;
    drop_mount(container, "/dev/pts");
    drop_mount(container, "/dev");
    container.config["mounts"].push_back({{"destination", "/dev/pts"},
                                          {"type", "devpts"},
                                          {"source", "devpts"},
                                          {"options", {"newinstance", "ptmxmode=0666"}}});
    std::string socket_path = container.bundle() + "/console.sock";
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);
    CommandResult result = container.run({"--detach", "--console-socket", socket_path});
    if (result.status == 0) {
        std::string mountinfo = read_terminal(listener.get());
        EXPECT_NE(mountinfo.find(" /proc "), std::string::npos) << mountinfo;
        EXPECT_EQ(mountinfo.find(" /proc/sys/kernel/core_pattern "), std::string::npos)
            << mountinfo;
    } else {
        EXPECT_NE(result.err.find("console"), std::string::npos) << result.err;
    }
}

// Without SELinux, linux.mountLabel is rejected before any container process exists.
TEST(ImagePaths, MountLabelWithoutSelinuxRejected) {
    if (fs::exists("/sys/fs/selinux")) {
        GTEST_SKIP() << "this host has SELinux";
    }
    TestContainer container({"/bin/true"});
    container.config["linux"]["mountLabel"] = "system_u:object_r:container_file_t:s0:c1,c2";
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("linux.mountLabel"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("SELinux is not enabled"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

}  // namespace
}  // namespace ocirun::testing
