// Tests of security::ensure_sealed_self and its helpers: the command predicate, the sealed copy,
// and a real fexecve of this test binary.
#include "security/self_exe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/error.h"

namespace ocirun::security {
namespace {

// Set by SelfExe.ReexecSealsBinary for the copy of this binary that it starts: the file that
// SelfExe.ReexecTarget writes "sealed" to once its checks passed.
constexpr const char* kReexecVariable = "OCIRUN_TEST_EXPECT_SEALED";

bool predicate_for(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    return runs_container_code(static_cast<int>(args.size()), argv.data());
}

std::string read_all(int fd) {
    std::string contents;
    char buffer[65536];
    ssize_t got;
    off_t offset = 0;
    while ((got = pread(fd, buffer, sizeof(buffer), offset)) > 0) {
        contents.append(buffer, static_cast<size_t>(got));
        offset += got;
    }
    return contents;
}

TEST(SelfExe, PredicateFindsCommand) {
    EXPECT_TRUE(predicate_for({"ocirun", "create", "--bundle", "b", "id"}));
    EXPECT_TRUE(predicate_for({"ocirun", "run", "id"}));
    EXPECT_TRUE(predicate_for({"ocirun", "exec", "id", "sh"}));
    EXPECT_TRUE(predicate_for({"ocirun", "--root", "/run/x", "--log", "l", "exec", "id"}));
    EXPECT_TRUE(predicate_for({"ocirun", "--root=/run/x", "--debug", "run", "id"}));
    EXPECT_TRUE(predicate_for({"ocirun", "--systemd-cgroup", "--rootless", "false", "create"}));
    EXPECT_FALSE(predicate_for({"ocirun", "start", "id"}));
    EXPECT_FALSE(predicate_for({"ocirun", "--root", "exec", "delete", "id"}));
    EXPECT_FALSE(predicate_for({"ocirun", "state", "run"}));
    EXPECT_FALSE(predicate_for({"ocirun", "--version"}));
    EXPECT_FALSE(predicate_for({"ocirun"}));
}

TEST(SelfExe, PredicateSealsOnUnknownFlag) {
    EXPECT_TRUE(predicate_for({"ocirun", "--new-flag", "x", "state", "id"}));
}

TEST(SelfExe, SealedCopyIsImmutable) {
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(exe, 0);
    EXPECT_FALSE(is_sealed_memfd(exe));
    int copy = make_sealed_copy(exe, "test-copy");
    EXPECT_TRUE(is_sealed_memfd(copy));
    EXPECT_EQ(read_all(copy), read_all(exe));
    EXPECT_EQ(pwrite(copy, "x", 1, 0), -1);
    EXPECT_EQ(errno, EPERM);
    EXPECT_NE(ftruncate(copy, 0), 0);
    EXPECT_NE(fcntl(copy, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), 0);
    // The attack of CVE-2019-5736 reopens the binary for writing once nobody executes it. The
    // open may succeed, but the seals reject every write through it.
    std::string path = "/proc/self/fd/" + std::to_string(copy);
    int reopened = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (reopened >= 0) {
        EXPECT_EQ(write(reopened, "x", 1), -1);
        EXPECT_EQ(errno, EPERM);
        close(reopened);
    }
    close(copy);
    close(exe);
}

TEST(SelfExe, ReadonlyBindingRejectsWrite) {
    char path[] = "/tmp/ocirun-binding-XXXXXX";
    int file = mkstemp(path);
    ASSERT_GE(file, 0);
    ASSERT_EQ(write(file, "original", 8), 8);
    EXPECT_FALSE(is_write_protected(file));
    int binding = make_readonly_binding(file);
    EXPECT_TRUE(is_write_protected(binding));
    std::string through = "/proc/self/fd/" + std::to_string(binding);
    EXPECT_LT(open(through.c_str(), O_WRONLY | O_CLOEXEC), 0);
    EXPECT_EQ(errno, EROFS);
    int reader = open(through.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(reader, 0);
    EXPECT_EQ(read_all(reader), "original");
    close(reader);
    close(binding);
    close(file);
    unlink(path);
}

TEST(SelfExe, SkipsWhenPredicateFalse) {
    char name[] = "ocirun";
    char* argv[] = {name, nullptr};
    ensure_sealed_self(1, argv, [](int, char**) { return false; });
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(exe, 0);
    EXPECT_FALSE(is_write_protected(exe));
    close(exe);
}

// Runs only inside the copy that SelfExe.ReexecSealsBinary starts.
TEST(SelfExe, ReexecTarget) {
    if (std::getenv(kReexecVariable) == nullptr) {
        GTEST_SKIP() << "runs only when started by SelfExe.ReexecSealsBinary";
    }
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(exe, 0);
    EXPECT_TRUE(is_write_protected(exe));
    close(exe);
    ASSERT_LT(open("/proc/self/exe", O_WRONLY | O_CLOEXEC), 0);
    int marker = open(std::getenv(kReexecVariable), O_WRONLY | O_TRUNC | O_CLOEXEC);
    ASSERT_GE(marker, 0);
    ASSERT_EQ(write(marker, "sealed", 6), 6);
    close(marker);
}

TEST(SelfExe, ReexecSealsBinary) {
    char marker[] = "/tmp/ocirun-self-exe-XXXXXX";
    int marker_fd = mkstemp(marker);
    ASSERT_GE(marker_fd, 0);
    close(marker_fd);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        setenv(kReexecVariable, marker, 1);
        std::string self = "self_exe_test";
        std::string filter = "--gtest_filter=SelfExe.ReexecTarget";
        char* argv[] = {self.data(), filter.data(), nullptr};
        try {
            ensure_sealed_self(2, argv, [](int, char**) { return true; });
        } catch (const Error&) {
            _exit(100);
        }
        // ensure_sealed_self returns only when the binary was already sealed.
        _exit(101);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    int marker_read = open(marker, O_RDONLY | O_CLOEXEC);
    ASSERT_GE(marker_read, 0);
    EXPECT_EQ(read_all(marker_read), "sealed");
    close(marker_read);
    unlink(marker);
}

}  // namespace
}  // namespace ocirun::security
