// The seccomp names of config.json mapped to libseccomp and kernel values.
#include "security/seccomp_names.h"

#include <linux/seccomp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string_view>

#include "base/error.h"

namespace ocirun::security {
namespace {

struct ActionEntry {
    std::string_view name;
    uint32_t action;
    bool carries_errno;  // the low 16 bits hold errnoRet, or EPERM when it is absent
};

// The runtime-spec's SCMP_ACT_KILL is libseccomp's historic name for killing the thread.
constexpr ActionEntry kActions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

struct OperatorEntry {
    std::string_view name;
    scmp_compare op;
};

constexpr OperatorEntry kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

struct FlagEntry {
    std::string_view name;
    unsigned flag;
};

constexpr FlagEntry kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

// The architectures of runtime-spec 1.3 (SeccompArch in defs-linux.json). parse_seccomp_arch
// accepts any name libseccomp resolves; these are the ones config.json may use.
constexpr std::string_view kSpecArchs[] = {
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",
    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64",
};

}  // namespace

uint32_t parse_seccomp_action(const std::string& name, std::optional<uint32_t> errno_ret) {
    for (const ActionEntry& entry : kActions) {
        if (entry.name != name) {
            continue;
        }
        // ERRNO and TRACE keep their return value in the low 16 bits, as SCMP_ACT_ERRNO(x)
        // and SCMP_ACT_TRACE(x) do.
        return entry.carries_errno ? entry.action | (errno_ret.value_or(EPERM) & 0xffffU)
                                   : entry.action;
    }
    throw_error("unknown seccomp action " + quote(name), ErrorKind::invalid_spec);
}

scmp_compare parse_seccomp_operator(const std::string& name) {
    for (const OperatorEntry& entry : kOperators) {
        if (entry.name == name) {
            return entry.op;
        }
    }
    throw_error("unknown seccomp operator " + quote(name), ErrorKind::invalid_spec);
}

// libseccomp names architectures as the spec does without the prefix and in lower case:
// SCMP_ARCH_X86_64 is "x86_64" and SCMP_ARCH_MIPSEL64N32 is "mipsel64n32".
uint32_t parse_seccomp_arch(const std::string& name) {
    constexpr std::string_view kPrefix = "SCMP_ARCH_";
    uint32_t token = 0;
    if (name.rfind(kPrefix, 0) == 0) {
        std::string short_name = name.substr(kPrefix.size());
        std::transform(short_name.begin(), short_name.end(), short_name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        token = seccomp_arch_resolve_name(short_name.c_str());
    }
    if (token == 0) {
        throw_error("unknown seccomp architecture " + quote(name), ErrorKind::invalid_spec);
    }
    return token;
}

unsigned parse_seccomp_flag(const std::string& name) {
    for (const FlagEntry& entry : kFlags) {
        if (entry.name == name) {
            return entry.flag;
        }
    }
    throw_error("unsupported seccomp flag " + quote(name), ErrorKind::invalid_spec);
}

std::vector<std::string_view> seccomp_action_names() {
    std::vector<std::string_view> names;
    for (const ActionEntry& entry : kActions) {
        names.push_back(entry.name);
    }
    return names;
}

std::vector<std::string_view> seccomp_operator_names() {
    std::vector<std::string_view> names;
    for (const OperatorEntry& entry : kOperators) {
        names.push_back(entry.name);
    }
    return names;
}

std::vector<std::string_view> seccomp_arch_names() {
    std::vector<std::string_view> names;
    for (std::string_view name : kSpecArchs) {
        try {
            parse_seccomp_arch(std::string(name));
            names.push_back(name);
        } catch (const Error&) {
            // libseccomp of this build does not know the architecture.
        }
    }
    return names;
}

std::vector<std::string_view> seccomp_flag_names() {
    std::vector<std::string_view> names;
    for (const FlagEntry& entry : kFlags) {
        names.push_back(entry.name);
    }
    return names;
}

}  // namespace ocirun::security
