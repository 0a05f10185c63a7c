// Tests of security::open_procfs_file against the real procfs, a fake one on tmpfs, magic links
// and bind mounts over procfs files.
#include "security/procfs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/error.h"
#include "child_process.h"

namespace ocirun::security {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

std::string read_fd(int fd) {
    std::string contents;
    char buffer[4096];
    ssize_t got;
    while ((got = read(fd, buffer, sizeof(buffer))) > 0) {
        contents.append(buffer, static_cast<size_t>(got));
    }
    return contents;
}

// Returns the message of the Error that `open` throws, or "" when it succeeds.
template <typename Open>
std::string open_error(Open open) {
    try {
        int fd = open();
        close(fd);
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

bool write_file(const std::string& path, const std::string& contents) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return false;
    }
    bool written =
        write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
    close(fd);
    return written;
}

TEST(Procfs, OpensSelfStatus) {
    int fd = open_procfs_file("/proc/self/status", O_RDONLY);
    std::string status = read_fd(fd);
    close(fd);
    EXPECT_NE(status.find("Pid:\t" + std::to_string(getpid()) + "\n"), std::string::npos);
}

TEST(Procfs, OpensThreadSelfAndSys) {
    int comm = open_procfs_file("thread-self/comm", O_RDONLY);
    EXPECT_FALSE(read_fd(comm).empty());
    close(comm);
    int ostype = open_procfs_file("/proc/sys/kernel/ostype", O_RDONLY);
    EXPECT_EQ(read_fd(ostype), "Linux\n");
    close(ostype);
}

TEST(Procfs, RejectsMagicLinks) {
    std::string root = open_error([] { return open_procfs_file("self/root/etc/hostname", 0); });
    EXPECT_NE(root.find("self/root/etc/hostname"), std::string::npos) << root;
    std::string cwd = open_error([] { return open_procfs_file("/proc/self/cwd", O_RDONLY); });
    EXPECT_FALSE(cwd.empty());
    std::string fd = open_error([] { return open_procfs_file("self/fd/0", O_RDONLY); });
    EXPECT_FALSE(fd.empty());
}

TEST(Procfs, RejectsEscapeAbove) {
    std::string above = open_error([] { return open_procfs_file("sys/../../etc/hostname", 0); });
    EXPECT_FALSE(above.empty());
}

// A tmpfs laid out like procfs, as a container image could provide it, must not be accepted.
TEST(Procfs, RejectsFakeProcOnTmpfs) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            return "private mount namespace: " + std::to_string(errno);
        }
        char dir[] = "/tmp/ocirun-fake-proc-XXXXXX";
        if (mkdtemp(dir) == nullptr || mount("tmpfs", dir, "tmpfs", 0, nullptr) != 0) {
            return "mount tmpfs";
        }
        std::string base = dir;
        mkdir((base + "/self").c_str(), 0755);
        mkdir((base + "/self/attr").c_str(), 0755);
        if (!write_file(base + "/self/attr/exec", "") ||
            !write_file(base + "/self/oom_score_adj", "0")) {
            return "write fake proc files";
        }
        int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        std::string error =
            open_error([root] { return open_procfs_file_at(root, "self/attr/exec", O_WRONLY); });
        close(root);
        umount2(dir, MNT_DETACH);
        rmdir(dir);
        if (error.find("not on procfs") == std::string::npos) {
            return "fake proc accepted or wrong error: `" + error + "`";
        }
        return "";
    })));
}

// A bind mount over a procfs file (CVE-2019-16884) is refused through the mounted /proc and
// invisible through the private procfs that open_procfs_file uses.
TEST(Procfs, IgnoresBindOverProcFile) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            return "private mount namespace";
        }
        char decoy[] = "/tmp/ocirun-decoy-XXXXXX";
        int decoy_fd = mkstemp(decoy);
        if (decoy_fd < 0 || write(decoy_fd, "decoy\n", 6) != 6) {
            return "create decoy";
        }
        close(decoy_fd);
        constexpr const char* target = "/proc/sys/kernel/ostype";
        if (mount(decoy, target, nullptr, MS_BIND, nullptr) != 0) {
            return "bind decoy over " + std::string(target);
        }
        int mounted_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        std::string through_mounted = open_error(
            [mounted_proc] { return open_procfs_file_at(mounted_proc, target, O_RDONLY); });
        close(mounted_proc);
        int fd = open_procfs_file(target, O_RDONLY);
        std::string contents = read_fd(fd);
        close(fd);
        umount2(target, MNT_DETACH);
        unlink(decoy);
        if (through_mounted.empty()) {
            return "the bind-mounted decoy was opened through /proc";
        }
        if (contents != "Linux\n") {
            return "open_procfs_file read `" + contents + "`";
        }
        return "";
    })));
}

TEST(Procfs, WriteSetsOomScoreAdj) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        write_procfs_file("/proc/self/oom_score_adj", "123");
        int fd = open_procfs_file("/proc/self/oom_score_adj", O_RDONLY);
        std::string value = read_fd(fd);
        close(fd);
        return value == "123\n" ? "" : "oom_score_adj is `" + value + "`";
    })));
}

TEST(Procfs, WriteErrorNamesPath) {
    std::string error;
    try {
        write_procfs_file("/proc/self/no-such-file", "1");
    } catch (const Error& caught) {
        error = caught.what();
    }
    EXPECT_NE(error.find("`/proc/self/no-such-file`"), std::string::npos) << error;
}

// A bind mount over /proc/self/oom_score_adj (CVE-2025-52881) must not receive the write: it
// is rejected through the mounted /proc, and the private procfs writes the real file.
TEST(Procfs, WriteIgnoresBindOverProcFile) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            return "private mount namespace";
        }
        char decoy[] = "/tmp/ocirun-decoy-XXXXXX";
        int decoy_fd = mkstemp(decoy);
        if (decoy_fd < 0 || write(decoy_fd, "decoy\n", 6) != 6) {
            return "create decoy";
        }
        close(decoy_fd);
        constexpr const char* target = "/proc/self/oom_score_adj";
        if (mount(decoy, target, nullptr, MS_BIND, nullptr) != 0) {
            return "bind decoy over " + std::string(target);
        }
        int mounted_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        std::string through_mounted;
        try {
            write_procfs_file_at(mounted_proc, target, "55");
        } catch (const Error& error) {
            through_mounted = error.what();
        }
        close(mounted_proc);
        write_procfs_file(target, "66");
        int fd = open_procfs_file(target, O_RDONLY);
        std::string value = read_fd(fd);
        close(fd);
        umount2(target, MNT_DETACH);
        int decoy_read = open(decoy, O_RDONLY | O_CLOEXEC);
        std::string decoy_contents = read_fd(decoy_read);
        close(decoy_read);
        unlink(decoy);
        if (through_mounted.find(target) == std::string::npos) {
            return "the write through /proc was not rejected: `" + through_mounted + "`";
        }
        if (decoy_contents != "decoy\n") {
            return "the decoy was written: `" + decoy_contents + "`";
        }
        return value == "66\n" ? "" : "oom_score_adj is `" + value + "`";
    })));
}

}  // namespace
}  // namespace ocirun::security
