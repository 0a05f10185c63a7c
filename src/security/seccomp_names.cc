// The seccomp names of config.json mapped to libseccomp and kernel values.
#include "security/seccomp_names.h"

#include <linux/seccomp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string_view>

#include "base/error.h"

namespace ocirun::security {

uint32_t parse_seccomp_action(const std::string& name, std::optional<uint32_t> errno_ret) {
    const uint32_t error_number = errno_ret.value_or(EPERM);
    if (name == "SCMP_ACT_ALLOW") {
        return SCMP_ACT_ALLOW;
    }
    if (name == "SCMP_ACT_ERRNO") {
        return SCMP_ACT_ERRNO(error_number);
    }
    // The runtime-spec's SCMP_ACT_KILL is libseccomp's historic name for killing the thread.
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") {
        return SCMP_ACT_KILL_THREAD;
    }
    if (name == "SCMP_ACT_KILL_PROCESS") {
        return SCMP_ACT_KILL_PROCESS;
    }
    if (name == "SCMP_ACT_TRAP") {
        return SCMP_ACT_TRAP;
    }
    if (name == "SCMP_ACT_TRACE") {
        return SCMP_ACT_TRACE(error_number);
    }
    if (name == "SCMP_ACT_LOG") {
        return SCMP_ACT_LOG;
    }
    if (name == "SCMP_ACT_NOTIFY") {
        return SCMP_ACT_NOTIFY;
    }
    throw_error("unknown seccomp action " + quote(name), ErrorKind::invalid_spec);
}

scmp_compare parse_seccomp_operator(const std::string& name) {
    struct Entry {
        std::string_view name;
        scmp_compare op;
    };
    static constexpr Entry kOperators[] = {
        {"SCMP_CMP_NE", SCMP_CMP_NE},
        {"SCMP_CMP_LT", SCMP_CMP_LT},
        {"SCMP_CMP_LE", SCMP_CMP_LE},
        {"SCMP_CMP_EQ", SCMP_CMP_EQ},
        {"SCMP_CMP_GE", SCMP_CMP_GE},
        {"SCMP_CMP_GT", SCMP_CMP_GT},
        {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
    };
    for (const Entry& entry : kOperators) {
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
    if (name == "SECCOMP_FILTER_FLAG_TSYNC") {
        return SECCOMP_FILTER_FLAG_TSYNC;
    }
    if (name == "SECCOMP_FILTER_FLAG_LOG") {
        return SECCOMP_FILTER_FLAG_LOG;
    }
    if (name == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") {
        return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    }
    if (name == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") {
        return SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
    throw_error("unsupported seccomp flag " + quote(name), ErrorKind::invalid_spec);
}

}  // namespace ocirun::security
