// Building exec's process from process.json or from config.json and the exec flags.
#include "container/exec_spec.h"

#include "base/error.h"
#include "process/exec_process.h"
#include "spec/parse.h"

namespace ocirun::container {

namespace {

void add_to_set(std::optional<std::vector<std::string>>& set, const std::string& cap) {
    if (!set) {
        set.emplace();
    }
    set->push_back(cap);
}

// Adds each --cap to the bounding, effective and permitted sets, as runc 1.1.5 does (checked by
// running it). It goes into the ambient set only when the process has an inheritable set,
// because the kernel drops an ambient capability that is not inheritable.
void add_capabilities(spec::Process& process, const std::vector<std::string>& caps) {
    if (caps.empty()) {
        return;
    }
    if (!process.capabilities) {
        process.capabilities.emplace();
    }
    spec::Capabilities& sets = *process.capabilities;
    for (const std::string& cap : caps) {
        add_to_set(sets.bounding, cap);
        add_to_set(sets.effective, cap);
        add_to_set(sets.permitted, cap);
        if (sets.inheritable) {
            add_to_set(sets.ambient, cap);
        }
    }
}

spec::Process process_from_flags(const ExecOptions& options, const spec::Spec& config) {
    if (!config.process) {
        throw_error("config.json: process: missing, so exec needs --process",
                    ErrorKind::invalid_spec);
    }
    spec::Process process = *config.process;
    process.args = options.args;
    process::merge_env(process.env, options.env);
    if (!options.cwd.empty()) {
        process.cwd = options.cwd;
    }
    if (!options.user.empty()) {
        process::parse_exec_user(options.user, process.user);
    }
    // Appended to config.json's list, as runc 1.1.5 does.
    process.user.additional_gids.insert(process.user.additional_gids.end(),
                                        options.additional_gids.begin(),
                                        options.additional_gids.end());
    add_capabilities(process, options.caps);
    process.terminal = options.tty;
    if (options.no_new_privs) {
        process.no_new_privileges = true;
    }
    if (!options.apparmor.empty()) {
        process.apparmor_profile = options.apparmor;
    }
    if (!options.process_label.empty()) {
        process.selinux_label = options.process_label;
    }
    return process;
}

}  // namespace

spec::Process exec_process_spec(const ExecOptions& options, const spec::Spec& config) {
    spec::Process process = options.process_file.empty() ? process_from_flags(options, config)
                                                         : spec::load_process(options.process_file);
    if (process.args.empty() || process.args[0].empty()) {
        throw_error("invalid process: args must not be empty", ErrorKind::invalid_spec);
    }
    if (!process.cwd.empty() && process.cwd[0] != '/') {
        throw_error("invalid process: cwd " + quote(process.cwd) + " must be an absolute path",
                    ErrorKind::invalid_spec);
    }
    return process;
}

void check_terminal_options(const ExecOptions& options, const spec::Process& process) {
    if (process.terminal && options.detach && options.console_socket.empty()) {
        throw_error("cannot allocate tty if ocirun will detach without setting console socket",
                    ErrorKind::invalid_spec);
    }
    if (!process.terminal && !options.console_socket.empty()) {
        throw_error("cannot use console socket if ocirun will not allocate tty",
                    ErrorKind::invalid_spec);
    }
}

}  // namespace ocirun::container
