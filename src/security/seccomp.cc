// linux.seccomp compiled into a BPF filter with libseccomp and loaded into the calling process.
#include "security/seccomp.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string>
#include <vector>

#include "base/error.h"
#include "security/messages.h"
#include "security/seccomp_enosys.h"
#include "security/seccomp_names.h"

namespace ocirun::security {
namespace {

constexpr uint32_t kMaxArgIndex = 5;

// Releases the libseccomp context when it goes out of scope.
class Filter {
  public:
    explicit Filter(uint32_t default_action) : context_(seccomp_init(default_action)) {
        if (context_ == nullptr) {
            throw_error("create seccomp filter: invalid default action");
        }
    }
    ~Filter() { seccomp_release(context_); }
    Filter(const Filter&) = delete;
    Filter& operator=(const Filter&) = delete;
    scmp_filter_ctx get() const { return context_; }

  private:
    scmp_filter_ctx context_;
};

// libseccomp returns negative errno values instead of setting errno.
void check(int result, const std::string& context) {
    if (result < 0) {
        throw_errno(context, -result);
    }
}

void set_attribute(const Filter& filter, scmp_filter_attr attribute, uint32_t value,
                   const std::string& name) {
    check(seccomp_attr_set(filter.get(), attribute, value), "set seccomp attribute " + name);
}

// Returns the filter's architectures: the native one and those listed, without repeats.
std::vector<uint32_t> add_architectures(const Filter& filter,
                                        const std::vector<std::string>& architectures) {
    std::vector<uint32_t> tokens = {seccomp_arch_native()};
    for (const std::string& name : architectures) {
        const uint32_t token = parse_seccomp_arch(name);
        if (std::find(tokens.begin(), tokens.end(), token) != tokens.end()) {
            continue;
        }
        check(seccomp_arch_add(filter.get(), token), "add seccomp architecture " + quote(name));
        tokens.push_back(token);
    }
    return tokens;
}

struct scmp_arg_cmp make_condition(const spec::SyscallArg& arg) {
    if (arg.index > kMaxArgIndex) {
        throw_error("seccomp argument index " + std::to_string(arg.index) + " is out of range 0-" +
                        std::to_string(kMaxArgIndex),
                    ErrorKind::invalid_spec);
    }
    // For SCMP_CMP_MASKED_EQ, value is the mask and valueTwo the expected masked value.
    return SCMP_CMP(arg.index, parse_seccomp_operator(arg.op), arg.value, arg.value_two);
}

// libseccomp 2.5.4 rejects a rule that tests one argument twice (EINVAL). As runc does, such a
// rule becomes one rule per condition, so any one condition matching is enough.
bool has_repeated_index(const std::vector<spec::SyscallArg>& args) {
    std::array<int, kMaxArgIndex + 1> counts = {};
    for (const spec::SyscallArg& arg : args) {
        if (arg.index <= kMaxArgIndex && ++counts[arg.index] > 1) {
            return true;
        }
    }
    return false;
}

void add_rule(const Filter& filter, int number, uint32_t action, const std::string& name,
              const std::vector<struct scmp_arg_cmp>& conditions) {
    check(seccomp_rule_add_array(filter.get(), action, number,
                                 static_cast<unsigned>(conditions.size()), conditions.data()),
          "add seccomp rule for syscall " + quote(name));
}

void add_syscall_rules(const Filter& filter, const spec::Syscall& syscall_rule, uint32_t action) {
    std::vector<struct scmp_arg_cmp> conditions;
    for (const spec::SyscallArg& arg : syscall_rule.args) {
        conditions.push_back(make_condition(arg));
    }
    const bool split = has_repeated_index(syscall_rule.args);
    for (const std::string& name : syscall_rule.names) {
        const int number = seccomp_syscall_resolve_name(name.c_str());
        if (number == __NR_SCMP_ERROR) {
            debug("seccomp: syscall " + quote(name) + " is unknown to libseccomp; skipping it");
            continue;
        }
        if (!split) {
            add_rule(filter, number, action, name, conditions);
            continue;
        }
        for (const struct scmp_arg_cmp& condition : conditions) {
            add_rule(filter, number, action, name, {condition});
        }
    }
}

bool uses_notify(const spec::Seccomp& seccomp) {
    for (const spec::Syscall& syscall_rule : seccomp.syscalls) {
        if (syscall_rule.action == "SCMP_ACT_NOTIFY") {
            return true;
        }
    }
    return false;
}

// Returns the filter as BPF instructions. libseccomp 2.5.4 exports only to a file descriptor.
std::vector<struct sock_filter> export_program(const Filter& filter) {
    const int fd = memfd_create("ocirun-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        throw_errno("create memfd for the seccomp program");
    }
    std::vector<struct sock_filter> program;
    int result = seccomp_export_bpf(filter.get(), fd);
    off_t size = result < 0 ? 0 : lseek(fd, 0, SEEK_END);
    if (result >= 0 && size > 0) {
        program.resize(static_cast<size_t>(size) / sizeof(struct sock_filter));
        ssize_t got = pread(fd, program.data(), static_cast<size_t>(size), 0);
        result = got == size ? 0 : (got < 0 ? -errno : -EIO);
    }
    close(fd);
    check(result, "export seccomp program");
    return program;
}

unsigned parse_flags(const std::vector<std::string>& names) {
    unsigned flags = 0;
    for (const std::string& name : names) {
        flags |= parse_seccomp_flag(name);
    }
    return flags;
}

// Adds what the profile implies to its flags: a listener for SCMP_ACT_NOTIFY rules.
unsigned complete_flags(unsigned flags, bool notify) {
    // The kernel accepts WAIT_KILLABLE_RECV only together with a notify listener.
    if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0 && !notify) {
        debug(
            "seccomp: ignoring SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without SCMP_ACT_NOTIFY "
            "rules");
        flags &= ~static_cast<unsigned>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
    }
    if (notify) {
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        // The kernel rejects TSYNC together with NEW_LISTENER unless TSYNC_ESRCH is set.
        if ((flags & SECCOMP_FILTER_FLAG_TSYNC) != 0) {
            flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
    }
    return flags;
}

}  // namespace

CompiledSeccomp compile_seccomp(const spec::Seccomp& seccomp, const SeccompFlagProbe& accepts) {
    const uint32_t default_action =
        parse_seccomp_action(seccomp.default_action, seccomp.default_errno_ret);
    if (default_action == SCMP_ACT_NOTIFY) {
        throw_error("seccomp default action SCMP_ACT_NOTIFY is not allowed",
                    ErrorKind::invalid_spec);
    }
    CompiledSeccomp compiled;
    compiled.flags = complete_flags(parse_flags(seccomp.flags), uses_notify(seccomp));
    // Checked here, before clone, because the container process can only report a failed load
    // as the flags' number.
    check_seccomp_flags_supported(seccomp.flags, compiled.flags, accepts);

    Filter filter(default_action);
    // A binary tree of syscalls checks a large allow list in fewer BPF steps per syscall.
    set_attribute(filter, SCMP_FLTATR_CTL_OPTIMIZE, 2, "OPTIMIZE");
    const std::vector<uint32_t> architectures = add_architectures(filter, seccomp.architectures);
    for (const spec::Syscall& syscall_rule : seccomp.syscalls) {
        const uint32_t action = parse_seccomp_action(syscall_rule.action, syscall_rule.errno_ret);
        // libseccomp rejects a rule whose action is the default one, and such a rule changes
        // nothing.
        if (action != default_action) {
            add_syscall_rules(filter, syscall_rule, action);
        }
    }

    // Syscalls newer than the profile fail with ENOSYS, as under runc 1.1.5, unless the default
    // action (ALLOW or LOG) lets every unlisted syscall run anyway.
    if (default_action != SCMP_ACT_ALLOW && default_action != SCMP_ACT_LOG) {
        compiled.program = build_enosys_prologue(architectures, seccomp);
    }
    const std::vector<struct sock_filter> body = export_program(filter);
    compiled.program.insert(compiled.program.end(), body.begin(), body.end());
    if (compiled.program.size() > BPF_MAXINSNS) {
        throw_error("seccomp filter has " + std::to_string(compiled.program.size()) +
                    " instructions, more than the kernel's maximum of " +
                    std::to_string(BPF_MAXINSNS));
    }
    // One record per compilation, so that a debug log shows how often a command compiles.
    debug("seccomp: compiled " + std::to_string(seccomp.syscalls.size()) + " rules into " +
          std::to_string(compiled.program.size()) + " BPF instructions");
    return compiled;
}

// The filter is loaded with seccomp(2) in place of seccomp_load, because libseccomp 2.5.4 can
// neither add the ENOSYS prologue nor pass WAIT_KILLABLE_RECV. It never sets no_new_privs here:
// process.noNewPrivileges decides that.
int load_compiled_seccomp(const CompiledSeccomp& compiled) {
    struct sock_fprog fprog = {};
    fprog.len = static_cast<unsigned short>(compiled.program.size());
    fprog.filter = const_cast<struct sock_filter*>(compiled.program.data());
    const long result = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, compiled.flags, &fprog);
    if (result < 0) {
        throw_errno("load seccomp filter (flags " + std::to_string(compiled.flags) + ")");
    }
    return (compiled.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0 ? static_cast<int>(result) : -1;
}

int load_seccomp(const spec::Seccomp& seccomp) {
    return load_compiled_seccomp(compile_seccomp(seccomp));
}

}  // namespace ocirun::security
