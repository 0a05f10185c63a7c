// The ENOSYS prologue for syscalls newer than the seccomp profile.
#include "security/seccomp_enosys.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <optional>

namespace ocirun::security {
namespace {

// x32 syscalls reach the filter as AUDIT_ARCH_X86_64 with this bit set in the number.
constexpr uint32_t kX32SyscallBit = 0x40000000;
// A limit no syscall number exceeds, for an architecture whose syscalls pass on unchecked.
constexpr uint32_t kNoLimit = 0xffffffff;

using Program = std::vector<struct sock_filter>;

// Returns the highest syscall number the profile names on `architecture`, if it names any.
std::optional<uint32_t> find_last_syscall(uint32_t architecture, const spec::Seccomp& seccomp) {
    std::optional<uint32_t> last;
    for (const spec::Syscall& rule : seccomp.syscalls) {
        for (const std::string& name : rule.names) {
            // Negative numbers are libseccomp's pseudo syscalls (such as socketcall on x86_64)
            // and __NR_SCMP_ERROR for unknown names.
            const int number = seccomp_syscall_resolve_name_arch(architecture, name.c_str());
            if (number >= 0) {
                last = std::max(last.value_or(0), static_cast<uint32_t>(number));
            }
        }
    }
    return last;
}

// Appends: if nr > last return ENOSYS, else jump to the filter. The jump offset is filled in
// by `build_enosys_prologue` once the prologue length is known, and is recorded in `jumps`.
void append_limit_check(Program& program, uint32_t last, std::vector<size_t>& jumps) {
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, last, 0, 1));
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
    jumps.push_back(program.size());
    program.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
}

void append_arch_block(Program& program, uint32_t audit_arch, uint32_t last,
                       std::vector<size_t>& jumps) {
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 0, 4));
    program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    append_limit_check(program, last, jumps);
}

// x86_64 and x32 share AUDIT_ARCH_X86_64 and differ in the x32 bit of the number.
void append_x86_64_block(Program& program, uint32_t last_x86_64, uint32_t last_x32,
                         std::vector<size_t>& jumps) {
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 8));
    program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    program.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kX32SyscallBit, 0, 3));
    append_limit_check(program, last_x32, jumps);
    append_limit_check(program, last_x86_64, jumps);
}

}  // namespace

std::vector<struct sock_filter> build_enosys_prologue(const std::vector<uint32_t>& architectures,
                                                      const spec::Seccomp& seccomp) {
    std::optional<uint32_t> last_x86_64;
    std::optional<uint32_t> last_x32;
    Program program;
    std::vector<size_t> jumps;
    program.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    for (uint32_t architecture : architectures) {
        const std::optional<uint32_t> last = find_last_syscall(architecture, seccomp);
        if (architecture == SCMP_ARCH_X86_64) {
            last_x86_64 = last;
        } else if (architecture == SCMP_ARCH_X32) {
            last_x32 = last;
        } else if (last) {
            // libseccomp's architecture tokens are the kernel's AUDIT_ARCH_* values.
            append_arch_block(program, architecture, *last, jumps);
        }
    }
    if (last_x86_64 || last_x32) {
        append_x86_64_block(program, last_x86_64.value_or(kNoLimit), last_x32.value_or(kNoLimit),
                            jumps);
    }
    if (jumps.empty()) {
        return {};
    }
    // Each jump goes to the first instruction after the prologue, the start of the filter.
    for (size_t index : jumps) {
        program[index].k = static_cast<uint32_t>(program.size() - index - 1);
    }
    return program;
}

}  // namespace ocirun::security
