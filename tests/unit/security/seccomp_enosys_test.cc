// Tests of the instructions build_enosys_prologue generates.
#include "security/seccomp_enosys.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cerrno>

namespace ocirun::security {
namespace {

spec::Seccomp profile_naming(std::vector<std::string> names) {
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ERRNO";
    spec::Syscall rule;
    rule.names = std::move(names);
    rule.action = "SCMP_ACT_ALLOW";
    seccomp.syscalls.push_back(rule);
    return seccomp;
}

TEST(SeccompEnosys, ChecksEachArchitecture) {
    // getppid is 110 on x86_64 and 64 on i386; read is lower on both.
    const auto program = build_enosys_prologue({SCMP_ARCH_X86_64, SCMP_ARCH_X86},
                                               profile_naming({"read", "getppid"}));
    // Load arch, a 5-instruction i386 block, then a 9-instruction x86_64 and x32 block.
    ASSERT_EQ(program.size(), 15u);
    EXPECT_EQ(program[1].k, AUDIT_ARCH_I386);
    EXPECT_EQ(program[3].k, 64u);
    EXPECT_EQ(program[4].k, SECCOMP_RET_ERRNO | ENOSYS);
    EXPECT_EQ(program[6].k, AUDIT_ARCH_X86_64);
    // Without x32 in the filter, x32 numbers pass on to the filter unchecked.
    EXPECT_EQ(program[9].k, 0xffffffffu);
    EXPECT_EQ(program[12].k, 110u);
}

TEST(SeccompEnosys, JumpsLandAfterPrologue) {
    const auto program = build_enosys_prologue({SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32},
                                               profile_naming({"read", "getppid"}));
    ASSERT_FALSE(program.empty());
    for (size_t index = 0; index < program.size(); ++index) {
        if (program[index].code == (BPF_JMP | BPF_JA)) {
            EXPECT_EQ(index + 1 + program[index].k, program.size()) << "instruction " << index;
        }
    }
    // x32 syscall numbers carry the x32 bit, so the x32 limit for getppid carries it too.
    EXPECT_EQ(program[9].k, 0x40000000u + 110u);
}

TEST(SeccompEnosys, EmptyWithoutKnownNames) {
    EXPECT_TRUE(
        build_enosys_prologue({SCMP_ARCH_X86_64}, profile_naming({"no_such_call"})).empty());
}

}  // namespace
}  // namespace ocirun::security
