// Turns the command line into a ParsedCommand without running anything.
#include "cli/parser.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "base/error.h"
#include "base/signal_names.h"
#include "base/version.h"
#include "cli/args.h"
#include "process/rootless.h"

namespace ocirun::cli {

namespace {

void add_global_options(CLI::App& app, ParsedCommand& parsed) {
    container::GlobalOptions& global = parsed.global;
    app.add_option("--root", global.root, "root directory for storage of container state")
        ->capture_default_str();
    app.add_option("--log", global.log, "file the log is written to (default: stderr)");
    global.log_format = "text";
    app.add_option("--log-format", global.log_format, "log format: text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_flag("--debug", global.debug, "write debug records to the log");
    app.add_flag("--systemd-cgroup", global.systemd_cgroup,
                 "manage cgroups through systemd; cgroupsPath is then slice:prefix:name");
    app.add_option("--rootless", global.rootless,
                   "whether to act as a rootless runtime: true, false or auto")
        ->check(CLI::IsMember({"true", "false", "auto"}))
        ->capture_default_str();
}

// Registers only the command `name`, because building the options of all 16 commands cost
// 0.15 ms of CPU per call, a sixth of an `ocirun list` (perf stat over 300 runs on the 2-core VM
// of docs/benchmarks.md). Without a known name, every command is registered, so that help lists
// them all and an unknown name gets the usual error.
void add_commands(CLI::App& app, ParsedCommand& parsed, std::string_view name) {
    if (const CommandEntry* command = find_command(name)) {
        command->add(app, parsed);
        return;
    }
    for (const CommandEntry& command : all_commands()) {
        command.add(app, parsed);
    }
}

std::string make_absolute(const std::string& path, const std::string& cwd) {
    if (path.empty()) {
        return path;
    }
    std::filesystem::path absolute = std::filesystem::path(cwd) / path;
    std::string normal = absolute.lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') {
        normal.pop_back();
    }
    return normal;
}

void resolve_paths(ParsedCommand& parsed, const std::string& cwd) {
    parsed.global.root = make_absolute(parsed.global.root, cwd);

    container::CreateOptions& create = parsed.run.create;
    create.id = parsed.id;
    create.bundle = make_absolute(create.bundle.empty() ? "." : create.bundle, cwd);
    create.pid_file = make_absolute(create.pid_file, cwd);
    create.console_socket = make_absolute(create.console_socket, cwd);
    create.pidfd_socket = make_absolute(create.pidfd_socket, cwd);

    container::ExecOptions& exec = parsed.exec;
    exec.id = parsed.id;
    exec.pid_file = make_absolute(exec.pid_file, cwd);
    exec.console_socket = make_absolute(exec.console_socket, cwd);
    exec.pidfd_socket = make_absolute(exec.pidfd_socket, cwd);
    exec.process_file = make_absolute(exec.process_file, cwd);

    parsed.bundle = make_absolute(parsed.bundle.empty() ? "." : parsed.bundle, cwd);
}

// Checks what CLI11 cannot express: argument counts that depend on other flags.
void check_arguments(const ParsedCommand& parsed) {
    if (parsed.command == "exec" && parsed.exec.process_file.empty() && parsed.exec.args.empty()) {
        throw_error("exec: a command or --process is required");
    }
}

// An unprivileged caller without XDG_RUNTIME_DIR falls back to the root's default state root,
// where it usually cannot write, so the error names the variable rather than a failed mkdir.
void check_default_root(const CLI::App& app, const ParsedCommand& parsed) {
    bool uses_state =
        parsed.command != "spec" && parsed.command != "features" && parsed.command != "image";
    const char* xdg_runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    bool xdg_set = xdg_runtime_dir != nullptr && *xdg_runtime_dir != '\0';
    if (!uses_state || app.get_option("--root")->count() != 0 || geteuid() == 0 || xdg_set) {
        return;
    }
    std::string existing = parsed.global.root;
    while (::access(existing.c_str(), F_OK) != 0 && existing.size() > 1) {
        existing = std::filesystem::path(existing).parent_path().string();
    }
    if (::access(existing.c_str(), W_OK) != 0) {
        throw_error("XDG_RUNTIME_DIR is not set and the default state root " +
                    quote(parsed.global.root) + " is not writable by uid " +
                    std::to_string(geteuid()) +
                    ": set XDG_RUNTIME_DIR (normally /run/user/UID) or pass --root");
    }
}

}  // namespace

// Besides a non-zero `euid`, uid 0 in a user namespace with $USER other than root also gets
// $XDG_RUNTIME_DIR/ocirun, as runc 1.1.5 decides (see process::honors_xdg_runtime_dir).
std::string default_root(uid_t euid, const char* xdg_runtime_dir) {
    bool in_user_namespace = euid == 0 && process::running_in_user_namespace();
    if (xdg_runtime_dir != nullptr && *xdg_runtime_dir != '\0' &&
        process::honors_xdg_runtime_dir(euid, in_user_namespace, std::getenv("USER"))) {
        return std::string(xdg_runtime_dir) + "/ocirun";
    }
    return "/run/ocirun";
}

std::string version_text() {
    return std::string("ocirun version ") + kVersion + "\ncommit: " + kCommit +
           "\nspec: " + kSpecVersion + "\n";
}

ParsedCommand parse_command_line(const std::vector<std::string>& args, const std::string& cwd) {
    ParsedCommand parsed;
    parsed.global.root = default_root(geteuid(), std::getenv("XDG_RUNTIME_DIR"));
    CLI::App app("ocirun: an OCI container runtime compatible with runc", "ocirun");
    app.require_subcommand(0, 1);
    bool version = false;
    app.add_flag("-v,--version", version, "print the version");
    add_global_options(app, parsed);
    add_commands(app, parsed, command_name(args, app));

    std::vector<std::string> normalized = normalize_args(args, app);
    // CLI11 takes arguments in reverse order.
    std::vector<std::string> reversed(normalized.rbegin(), normalized.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        parsed.output = app.help();
        return parsed;
    } catch (const CLI::ParseError& e) {
        throw_error(e.what());
    }
    if (version) {
        parsed.output = version_text();
        return parsed;
    }
    std::vector<CLI::App*> selected = app.get_subcommands();
    if (selected.empty()) {
        parsed.output = app.help();
        return parsed;
    }
    parsed.command = selected.front()->get_name();
    if (parsed.command == "kill") {
        parsed.signal_number = parse_signal(parsed.signal);
    }
    resolve_paths(parsed, cwd);
    check_arguments(parsed);
    check_default_root(app, parsed);
    return parsed;
}

}  // namespace ocirun::cli
