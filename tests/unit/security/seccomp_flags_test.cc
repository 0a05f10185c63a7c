// The seccomp flag probe: what the running kernel accepts, that probing installs no filter, and
// the error that names a flag the kernel rejects (with the probe's result injected).
#include "security/seccomp_flags.h"

#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/utsname.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "base/error.h"
#include "security/seccomp.h"

namespace ocirun::security {
namespace {

constexpr const char* kWaitKillable = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";

// Returns the Seccomp: line of /proc/self/status, which names the mode of the calling process.
std::string seccomp_status() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("Seccomp:", 0) == 0) {
            return line;
        }
    }
    return "";
}

// Returns whether the running kernel's release is at least major.minor.
bool kernel_at_least(int major, int minor) {
    utsname name{};
    uname(&name);
    int running_major = 0;
    int running_minor = 0;
    std::sscanf(name.release, "%d.%d", &running_major, &running_minor);
    return running_major > major || (running_major == major && running_minor >= minor);
}

spec::Seccomp notify_profile(std::vector<std::string> flags) {
    spec::Syscall rule;
    rule.names = {"mknodat"};
    rule.action = "SCMP_ACT_NOTIFY";
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.syscalls = {rule};
    seccomp.flags = std::move(flags);
    return seccomp;
}

bool accept_all_but_wait_killable(unsigned flag) {
    return flag != SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
}

// WAIT_KILLABLE_RECV came with Linux 5.19 and SPEC_ALLOW with 4.17. TSYNC is older than both.
TEST(SeccompFlags, KernelProbeMatchesRelease) {
    EXPECT_EQ(kernel_accepts_seccomp_flag(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
              kernel_at_least(5, 19));
    EXPECT_EQ(kernel_accepts_seccomp_flag(SECCOMP_FILTER_FLAG_SPEC_ALLOW), kernel_at_least(4, 17));
    EXPECT_TRUE(kernel_accepts_seccomp_flag(SECCOMP_FILTER_FLAG_TSYNC));
}

TEST(SeccompFlags, KernelProbeRejectsUnknownBit) {
    EXPECT_FALSE(kernel_accepts_seccomp_flag(1U << 30));
}

TEST(SeccompFlags, ProbeInstallsNoFilter) {
    std::string before = seccomp_status();
    ASSERT_FALSE(before.empty());
    kernel_accepts_seccomp_flag(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    kernel_accepts_seccomp_flag(SECCOMP_FILTER_FLAG_TSYNC);
    EXPECT_EQ(seccomp_status(), before);
}

TEST(SeccompFlags, RejectedFlagNamedInError) {
    spec::Seccomp seccomp = notify_profile({"SECCOMP_FILTER_FLAG_LOG", kWaitKillable});
    try {
        compile_seccomp(seccomp, accept_all_but_wait_killable);
        FAIL() << "compile_seccomp accepted a flag the probe rejects";
    } catch (const Error& error) {
        std::string message = error.what();
        EXPECT_NE(message.find(kWaitKillable), std::string::npos) << message;
        EXPECT_NE(message.find("Linux 5.19"), std::string::npos) << message;
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
    }
}

TEST(SeccompFlags, OtherRejectedFlagNamed) {
    spec::Seccomp seccomp = notify_profile({"SECCOMP_FILTER_FLAG_SPEC_ALLOW"});
    auto reject_spec_allow = [](unsigned flag) { return flag != SECCOMP_FILTER_FLAG_SPEC_ALLOW; };
    try {
        compile_seccomp(seccomp, reject_spec_allow);
        FAIL() << "compile_seccomp accepted a flag the probe rejects";
    } catch (const Error& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("SECCOMP_FILTER_FLAG_SPEC_ALLOW"), std::string::npos) << message;
    }
}

TEST(SeccompFlags, AcceptedFlagApplied) {
    spec::Seccomp seccomp = notify_profile({kWaitKillable});
    CompiledSeccomp compiled = compile_seccomp(seccomp, [](unsigned) { return true; });
    EXPECT_NE(compiled.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 0U);
}

// Without SCMP_ACT_NOTIFY rules the flag is dropped before loading, so seccomp(2) never receives it.
TEST(SeccompFlags, DroppedFlagNotChecked) {
    spec::Seccomp seccomp = notify_profile({kWaitKillable});
    seccomp.syscalls.front().action = "SCMP_ACT_ERRNO";
    CompiledSeccomp compiled = compile_seccomp(seccomp, accept_all_but_wait_killable);
    EXPECT_EQ(compiled.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 0U);
}

}  // namespace
}  // namespace ocirun::security
