// Tests of security::verify_no_host_fds_leak and verify_cwd_inside_root in chrooted children,
// where a directory fd opened before chroot plays the host directory.
#include "security/host_fds.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "base/error.h"
#include "child_process.h"

namespace ocirun::security {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

// Returns the message of the Error that `check` throws, or "" when it passes.
template <typename Check>
std::string check_error(Check check) {
    try {
        check();
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

// Marks every inherited fd close-on-exec so that only the fds a test opens are checked.
void mark_inherited_fds_cloexec() {
    syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
}

// Chroots into a fresh directory and returns it; the caller removes it from outside.
std::string enter_new_root() {
    char dir[] = "/tmp/ocirun-root-XXXXXX";
    if (mkdtemp(dir) == nullptr || mkdir((std::string(dir) + "/work").c_str(), 0755) != 0 ||
        chroot(dir) != 0 || chdir("/") != 0) {
        return "";
    }
    return dir;
}

TEST(HostFds, DirectoryInsideRoot) {
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(directory_inside_root(fd));
    close(fd);
}

TEST(HostFds, PassesCleanProcess) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        mark_inherited_fds_cloexec();
        verify_no_host_fds_leak(3);
        return "";
    })));
}

TEST(HostFds, RejectsInheritableFd) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        mark_inherited_fds_cloexec();
        int fd = open("/dev/null", O_RDONLY);
        std::string error = check_error([] { verify_no_host_fds_leak(3); });
        if (error.find("fd " + std::to_string(fd) + " (`/dev/null`) would be inherited") ==
            std::string::npos) {
            return "unexpected result: `" + error + "`";
        }
        // An fd below the first unpassed one was passed on purpose.
        verify_no_host_fds_leak(fd + 1);
        return "";
    })));
}

TEST(HostFds, RejectsDirectoryOutsideRoot) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        mark_inherited_fds_cloexec();
        int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (enter_new_root().empty()) {
            return "chroot";
        }
        if (directory_inside_root(host)) {
            return "the host root counts as inside the new root";
        }
        std::string error = check_error([] { verify_no_host_fds_leak(3); });
        if (error.find("is a directory outside the container root") == std::string::npos) {
            return "unexpected result: `" + error + "`";
        }
        close(host);
        int inside = open("/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (!directory_inside_root(inside)) {
            return "`/work` counts as outside the root";
        }
        verify_no_host_fds_leak(3);
        return "";
    })));
}

TEST(HostFds, RejectsCwdOutsideRoot) {
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        int host = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (enter_new_root().empty()) {
            return "chroot";
        }
        if (fchdir(host) != 0) {
            return "fchdir";
        }
        std::string error = check_error([] { verify_cwd_inside_root(); });
        if (error.empty()) {
            return "a working directory outside the root passed";
        }
        if (chdir("/work") != 0) {
            return "chdir";
        }
        verify_cwd_inside_root();
        return "";
    })));
}

}  // namespace
}  // namespace ocirun::security
