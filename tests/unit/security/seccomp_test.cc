// Tests of security::load_seccomp; each filter is loaded in a forked child.
#include "security/seccomp.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "child_process.h"
#include "security/messages.h"
#include "spec/parse.h"

namespace ocirun::security {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

spec::Syscall make_rule(std::vector<std::string> names, std::string action,
                        std::optional<uint32_t> errno_ret = std::nullopt,
                        std::vector<spec::SyscallArg> args = {}) {
    spec::Syscall rule;
    rule.names = std::move(names);
    rule.action = std::move(action);
    rule.errno_ret = errno_ret;
    rule.args = std::move(args);
    return rule;
}

spec::Seccomp allow_by_default(std::vector<spec::Syscall> rules) {
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    seccomp.syscalls = std::move(rules);
    return seccomp;
}

// Returns "" when `result` is -1 with errno `expected`, else a description naming `call`.
std::string expect_errno(const char* call, long result, int expected) {
    if (result != -1 || errno != expected) {
        return std::string(call) + " returned " + std::to_string(result) + " with errno " +
               std::to_string(errno) + ", expected errno " + std::to_string(expected);
    }
    return "";
}

long raw_dup(long fd) {
    return syscall(SYS_dup, fd);
}

TEST(Seccomp, ErrnoRules) {
    auto seccomp = allow_by_default({
        make_rule({"getcwd"}, "SCMP_ACT_ERRNO", ENOMSG),
        make_rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO"),
    });
    auto result = run_in_child([&] {
        if (load_seccomp(seccomp) != -1) {
            return std::string("expected no notify fd");
        }
        char buffer[256];
        std::string failure =
            expect_errno("getcwd", getcwd(buffer, sizeof(buffer)) ? 0 : -1, ENOMSG);
        if (!failure.empty()) {
            return failure;
        }
        // errnoRet defaults to EPERM.
        return expect_errno("mkdir", mkdir("/tmp/ocirun-seccomp-test", 0700), EPERM);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, KillActionsSignal) {
    for (const char* action : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"}) {
        auto seccomp = allow_by_default({make_rule({"getppid"}, action)});
        auto result = run_in_child([&] {
            load_seccomp(seccomp);
            syscall(SYS_getppid);
            return std::string("getppid returned");
        });
        EXPECT_FALSE(result.exited) << action << ": " << result.failure;
        EXPECT_EQ(result.signal, SIGSYS) << action;
    }
}

TEST(Seccomp, MaskedEqualArgument) {
    // dup(fd) fails with ENOTUNIQ only when the low byte of fd is 0x64.
    spec::SyscallArg arg{0, 0xff, 0x64, "SCMP_CMP_MASKED_EQ"};
    auto seccomp = allow_by_default({make_rule({"dup"}, "SCMP_ACT_ERRNO", ENOTUNIQ, {arg})});
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        std::string failure = expect_errno("dup(0x364)", raw_dup(0x364), ENOTUNIQ);
        if (!failure.empty()) {
            return failure;
        }
        return expect_errno("dup(0x365)", raw_dup(0x365), EBADF);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, RepeatedIndexMatchesEither) {
    spec::SyscallArg first{0, 900, 0, "SCMP_CMP_EQ"};
    spec::SyscallArg second{0, 901, 0, "SCMP_CMP_EQ"};
    auto seccomp =
        allow_by_default({make_rule({"dup"}, "SCMP_ACT_ERRNO", ENOTUNIQ, {first, second})});
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        for (long fd : {900L, 901L}) {
            std::string failure = expect_errno("dup", raw_dup(fd), ENOTUNIQ);
            if (!failure.empty()) {
                return failure + " for fd " + std::to_string(fd);
            }
        }
        return expect_errno("dup(902)", raw_dup(902), EBADF);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, AllOperators) {
    struct Case {
        const char* op;
        long matching;
        long other;
    };
    const Case cases[] = {
        {"SCMP_CMP_NE", 901, 900}, {"SCMP_CMP_LT", 899, 900}, {"SCMP_CMP_LE", 900, 901},
        {"SCMP_CMP_EQ", 900, 901}, {"SCMP_CMP_GE", 900, 899}, {"SCMP_CMP_GT", 901, 900},
    };
    for (const Case& test_case : cases) {
        spec::SyscallArg arg{0, 900, 0, test_case.op};
        auto seccomp = allow_by_default({make_rule({"dup"}, "SCMP_ACT_ERRNO", ENOTUNIQ, {arg})});
        auto result = run_in_child([&] {
            load_seccomp(seccomp);
            std::string failure =
                expect_errno("matching dup", raw_dup(test_case.matching), ENOTUNIQ);
            if (!failure.empty()) {
                return failure;
            }
            return expect_errno("other dup", raw_dup(test_case.other), EBADF);
        });
        EXPECT_TRUE(child_succeeded(result)) << test_case.op;
    }
}

TEST(Seccomp, UnknownSyscallSkipped) {
    auto seccomp =
        allow_by_default({make_rule({"no_such_syscall", "getcwd"}, "SCMP_ACT_ERRNO", ENOMSG)});
    auto result = run_in_child([&] {
        std::string messages;
        set_message_handler([&](log::Level, std::string_view message) { messages += message; });
        load_seccomp(seccomp);
        if (messages.find("`no_such_syscall`") == std::string::npos) {
            return "no debug message about the unknown syscall: " + messages;
        }
        char buffer[256];
        return expect_errno("getcwd", getcwd(buffer, sizeof(buffer)) ? 0 : -1, ENOMSG);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, DefaultErrnoRet) {
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ERRNO";
    seccomp.default_errno_ret = ENOSYS;
    // What the child and AddressSanitizer need after loading: memory, signals, the report
    // over the pipe and exit.
    seccomp.syscalls = {make_rule({"write", "read", "close", "exit", "exit_group", "rt_sigreturn",
                                   "rt_sigprocmask", "sigaltstack", "mmap", "munmap", "mprotect",
                                   "madvise", "brk", "futex", "getpid", "gettid", "tgkill"},
                                  "SCMP_ACT_ALLOW")};
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        return expect_errno("getppid", syscall(SYS_getppid), ENOSYS);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, NewerSyscallsGetEnosys) {
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ERRNO";
    // The highest syscall named here is tgkill (234 on x86_64).
    seccomp.syscalls = {make_rule({"write", "read", "close", "exit", "exit_group", "rt_sigreturn",
                                   "rt_sigprocmask", "sigaltstack", "mmap", "munmap", "mprotect",
                                   "madvise", "brk", "futex", "getpid", "gettid", "tgkill"},
                                  "SCMP_ACT_ALLOW")};
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        // getppid (110) is older than tgkill but not listed, so the default action applies.
        std::string failure = expect_errno("getppid", syscall(SYS_getppid), EPERM);
        if (!failure.empty()) {
            return failure;
        }
        return expect_errno("io_uring_setup", syscall(SYS_io_uring_setup, 0, nullptr), ENOSYS);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, NotifyReturnsListener) {
    auto seccomp = allow_by_default({make_rule({"mknodat"}, "SCMP_ACT_NOTIFY"),
                                     make_rule({"getcwd"}, "SCMP_ACT_ERRNO", ENOMSG)});
    for (const char* flag : {"", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}) {
        if (*flag != '\0') {
            seccomp.flags = {flag, "SECCOMP_FILTER_FLAG_LOG"};
        }
        auto result = run_in_child([&] {
            const int fd = load_seccomp(seccomp);
            if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
                return "invalid notify fd " + std::to_string(fd);
            }
            char buffer[256];
            return expect_errno("getcwd", getcwd(buffer, sizeof(buffer)) ? 0 : -1, ENOMSG);
        });
        EXPECT_TRUE(child_succeeded(result)) << flag;
    }
}

TEST(Seccomp, CompiledInParentLoadsInChild) {
    auto seccomp = allow_by_default({make_rule({"mknodat"}, "SCMP_ACT_NOTIFY"),
                                     make_rule({"getcwd"}, "SCMP_ACT_ERRNO", ENOMSG)});
    seccomp.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
    const CompiledSeccomp compiled = compile_seccomp(seccomp);
    EXPECT_FALSE(compiled.program.empty());
    EXPECT_EQ(compiled.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER |
                                  SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
    auto result = run_in_child([&] {
        if (load_compiled_seccomp(compiled) < 0) {
            return std::string("no notify fd");
        }
        char buffer[256];
        return expect_errno("getcwd", getcwd(buffer, sizeof(buffer)) ? 0 : -1, ENOMSG);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, FlagsAccepted) {
    auto seccomp = allow_by_default({make_rule({"getcwd"}, "SCMP_ACT_LOG")});
    seccomp.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                     "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        char buffer[256];
        return std::string(getcwd(buffer, sizeof(buffer)) ? "" : "getcwd failed");
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Seccomp, InvalidNamesRejected) {
    const std::vector<std::pair<spec::Seccomp, std::string>> cases = {
        {allow_by_default({make_rule({"getcwd"}, "SCMP_ACT_EXPLODE")}),
         "unknown seccomp action `SCMP_ACT_EXPLODE`"},
        {allow_by_default({make_rule({"dup"}, "SCMP_ACT_ERRNO", 1,
                                     {spec::SyscallArg{0, 1, 0, "SCMP_CMP_ABOUT"}})}),
         "unknown seccomp operator `SCMP_CMP_ABOUT`"},
        {allow_by_default(
             {make_rule({"dup"}, "SCMP_ACT_ERRNO", 1, {spec::SyscallArg{6, 1, 0, "SCMP_CMP_EQ"}})}),
         "seccomp argument index 6 is out of range 0-5"},
    };
    for (const auto& [seccomp, message] : cases) {
        auto result = run_in_child([&] {
            try {
                load_seccomp(seccomp);
            } catch (const Error& e) {
                return std::string(e.kind() == ErrorKind::invalid_spec ? "" : "wrong kind: ") +
                       (e.what() == message ? "" : std::string(e.what()));
            }
            return std::string("load_seccomp did not throw");
        });
        EXPECT_TRUE(child_succeeded(result)) << message;
    }
    auto bad_arch = allow_by_default({});
    bad_arch.architectures = {"SCMP_ARCH_PDP11"};
    auto result = run_in_child([&] {
        load_seccomp(bad_arch);
        return std::string("load_seccomp did not throw");
    });
    EXPECT_EQ(result.failure, "exception: unknown seccomp architecture `SCMP_ARCH_PDP11`");
}

TEST(Seccomp, DockerProfileLoads) {
    // A config.json written by dockerd, with Docker's default seccomp profile.
    const std::string path =
        OCIRUN_SOURCE_DIR "/../shared/fixtures/configs/docker-0-create-config.json";
    if (access(path.c_str(), R_OK) != 0) {
        GTEST_SKIP() << "fixture " << path << " is missing";
    }
    const spec::Spec config = spec::load_config(path);
    ASSERT_TRUE(config.linux_config);
    ASSERT_TRUE(config.linux_config->seccomp);
    auto result = run_in_child([&] {
        load_seccomp(*config.linux_config->seccomp);
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line)) {
            if (line.rfind("Seccomp:", 0) == 0) {
                return std::string(line.find('2') != std::string::npos ? "" : line);
            }
        }
        return std::string("no Seccomp line");
    });
    EXPECT_TRUE(child_succeeded(result));
}

}  // namespace
}  // namespace ocirun::security
