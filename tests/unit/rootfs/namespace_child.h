// Test helpers: a temporary rootfs and a forked child in its own mount namespace.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/text.h"
#include "rootfs/mountinfo.h"

namespace ocirun::rootfs::testing {

using Failures = std::vector<std::string>;

// A directory /tmp/ocirun-rootfs-XXXXXX with an empty `rootfs` inside. It is removed on
// destruction unless a mount below it is still visible, which would mean a mount leaked out
// of a test's namespace.
class TempRootfs {
  public:
    TempRootfs() {
        char pattern[] = "/tmp/ocirun-rootfs-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) {
            throw_errno("mkdtemp");
        }
        base_ = pattern;
        std::filesystem::create_directory(rootfs());
    }
    TempRootfs(const TempRootfs&) = delete;
    TempRootfs& operator=(const TempRootfs&) = delete;
    ~TempRootfs() {
        if (mounts_below().empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(base_, ignored);
        }
    }

    const std::string& base() const { return base_; }
    std::string rootfs() const { return base_ + "/rootfs"; }

    // Returns the mount points below the temporary directory seen by the calling process.
    std::vector<std::string> mounts_below() const {
        std::vector<std::string> found;
        for (const MountInfo& mount : read_mountinfo()) {
            if (mount.mount_point.starts_with(base_ + "/")) {
                found.push_back(mount.mount_point);
            }
        }
        return found;
    }

  private:
    std::string base_;
};

// Runs `body` in a forked child that has unshared its mount namespace (made rprivate at once,
// so nothing it mounts reaches the host). Returns the child's failures: those `body` added,
// an Error it threw, or a note that the child died.
inline Failures run_in_mount_namespace(const std::function<void(Failures&)>& body) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        return {"pipe failed"};
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        return {"fork failed"};
    }
    if (pid == 0) {
        ::close(pipe_fds[0]);
        Failures failures;
        try {
            if (::unshare(CLONE_NEWNS) != 0 ||
                ::mount(nullptr, "/", nullptr, MS_PRIVATE | MS_REC, nullptr) != 0) {
                throw_errno("unshare the mount namespace");
            }
            body(failures);
        } catch (const std::exception& error) {
            failures.push_back(std::string("exception: ") + error.what());
        }
        std::string report;
        for (const std::string& failure : failures) {
            report += failure + '\n';
        }
        ssize_t ignored = ::write(pipe_fds[1], report.data(), report.size());
        (void)ignored;
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    std::string report;
    char buffer[4096];
    ssize_t length = 0;
    while ((length = ::read(pipe_fds[0], buffer, sizeof(buffer))) > 0) {
        report.append(buffer, static_cast<size_t>(length));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    Failures failures = split(report, '\n');
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        failures.push_back("child exited abnormally, status " + std::to_string(status));
    }
    return failures;
}

// Returns the mount at `mount_point` (the last one stacked there) in this process's mountinfo.
inline std::optional<MountInfo> find_mount(const std::string& mount_point) {
    std::optional<MountInfo> found;
    for (MountInfo& mount : read_mountinfo()) {
        if (mount.mount_point == mount_point) {
            found = std::move(mount);
        }
    }
    return found;
}

// Returns the filesystem type of the mount that contains `path`, such as "ext4" for /tmp.
inline std::string fs_type_of(const std::string& path) {
    std::string type;
    size_t longest = 0;
    for (const MountInfo& mount : read_mountinfo()) {
        const std::string& point = mount.mount_point;
        bool contains = point == "/" || path == point || path.starts_with(point + "/");
        if (contains && point.size() >= longest) {
            longest = point.size();
            type = mount.fs_type;
        }
    }
    return type;
}

inline bool has_option(const std::vector<std::string>& options, const std::string& option) {
    return std::find(options.begin(), options.end(), option) != options.end();
}

// Adds a failure unless a mount of `fs_type` is at `mount_point` with every option in
// `options` among its per-mount options.
inline void expect_mount(Failures& failures, const std::string& mount_point,
                         const std::string& fs_type, const std::vector<std::string>& options) {
    std::optional<MountInfo> mount = find_mount(mount_point);
    if (!mount) {
        failures.push_back("no mount at " + mount_point);
        return;
    }
    if (mount->fs_type != fs_type) {
        failures.push_back(mount_point + " has type " + mount->fs_type + ", expected " + fs_type);
    }
    for (const std::string& option : options) {
        if (!has_option(mount->mount_options, option)) {
            failures.push_back(mount_point + " lacks mount option " + option);
        }
    }
}

// Adds a failure unless `path` is a character device `major`:`minor` with permission `mode`.
inline void expect_char_device(Failures& failures, const std::string& path, unsigned major,
                               unsigned minor, mode_t mode) {
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) {
        failures.push_back("missing device " + path);
        return;
    }
    if (!S_ISCHR(status.st_mode) || ::major(status.st_rdev) != major ||
        ::minor(status.st_rdev) != minor) {
        failures.push_back(path + " is not the character device " + std::to_string(major) + ":" +
                           std::to_string(minor));
    }
    if ((status.st_mode & 07777) != mode) {
        failures.push_back(path + " has mode " + std::to_string(status.st_mode & 07777) +
                           ", expected " + std::to_string(mode));
    }
}

inline std::string read_link(const std::string& path) {
    std::error_code error;
    std::filesystem::path target = std::filesystem::read_symlink(path, error);
    return error ? std::string() : target.string();
}

}  // namespace ocirun::rootfs::testing

// Skips a test that needs root, printing why.
#define OCIRUN_REQUIRE_ROOT()                                                   \
    do {                                                                        \
        if (::geteuid() != 0) {                                                 \
            GTEST_SKIP() << "needs root to create mount namespaces and mounts"; \
        }                                                                       \
    } while (false)
