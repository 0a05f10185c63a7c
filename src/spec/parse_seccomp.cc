// Reader of linux.seccomp: actions, architectures, flags, operators and syscall rules.
#include <array>

#include "spec/parse_sections.h"

namespace ocirun::spec::detail {
namespace {

// The names libseccomp v2.6.0 defines. The security module maps them to libseccomp constants,
// so the parser only checks membership.
constexpr std::array<std::string_view, 9> kActions{
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
};

constexpr std::array<std::string_view, 23> kArchitectures{
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",    "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",      "SCMP_ARCH_SHEB",
    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64",
};

constexpr std::array<std::string_view, 4> kFlags{
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

constexpr std::array<std::string_view, 7> kOperators{
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
};

void check_name(std::string_view name, std::span<const std::string_view> names,
                std::string_view what, const JsonPath& path) {
    for (std::string_view known : names) {
        if (known == name) {
            return;
        }
    }
    fail(path, "unknown " + std::string(what) + " " + describe(Json(name)));
}

void check_names(const std::vector<std::string>& values, std::span<const std::string_view> names,
                 std::string_view what, const JsonPath& path) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        check_name(values[i], names, what, path.item(i));
    }
}

// The spec requires an error when an errno is given to an action that cannot return one.
void check_errno_action(std::string_view action, const JsonPath& errno_path) {
    if (action != "SCMP_ACT_ERRNO" && action != "SCMP_ACT_TRACE") {
        fail(errno_path, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, got action " +
                             describe(Json(action)));
    }
}

}  // namespace

void read(const Json& value, const JsonPath& path, SyscallArg& out) {
    Object object(value, path);
    object.require("index", out.index);
    object.require("value", out.value);
    object.get("valueTwo", out.value_two);
    object.require("op", out.op);
    check_name(out.op, kOperators, "seccomp operator", path.field("op"));
}

void read(const Json& value, const JsonPath& path, Syscall& out) {
    Object object(value, path);
    object.require("names", out.names);
    if (out.names.empty()) {
        fail(path.field("names"), "must not be empty");
    }
    object.require("action", out.action);
    check_name(out.action, kActions, "seccomp action", path.field("action"));
    if (object.get("errnoRet", out.errno_ret)) {
        check_errno_action(out.action, path.field("errnoRet"));
    }
    object.get("args", out.args);
}

void read(const Json& value, const JsonPath& path, Seccomp& out) {
    Object object(value, path);
    object.require("defaultAction", out.default_action);
    check_name(out.default_action, kActions, "seccomp action", path.field("defaultAction"));
    if (object.get("defaultErrnoRet", out.default_errno_ret)) {
        check_errno_action(out.default_action, path.field("defaultErrnoRet"));
    }
    if (object.get("architectures", out.architectures)) {
        check_names(out.architectures, kArchitectures, "seccomp architecture",
                    path.field("architectures"));
    }
    if (object.get("flags", out.flags)) {
        check_names(out.flags, kFlags, "seccomp flag", path.field("flags"));
    }
    object.get("listenerPath", out.listener_path);
    object.get("listenerMetadata", out.listener_metadata);
    if (!out.listener_metadata.empty() && out.listener_path.empty()) {
        fail(path.field("listenerMetadata"), "must not be set without listenerPath");
    }
    object.get("syscalls", out.syscalls);
}

}  // namespace ocirun::spec::detail
