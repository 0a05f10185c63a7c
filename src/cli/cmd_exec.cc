// `ocirun exec`: runs a new process inside a running container.
#include "cli/command.h"

namespace ocirun::cli {

namespace {

// A repeatable option that takes one value per occurrence, as Go's slice flags do.
CLI::Option* add_repeatable(CLI::App& command, const std::string& names,
                            std::vector<std::string>& values, const std::string& help) {
    return command.add_option(names, values, help)->allow_extra_args(false);
}

}  // namespace

void add_exec(CLI::App& app, ParsedCommand& parsed) {
    container::ExecOptions& exec = parsed.exec;
    CLI::App* command = app.add_subcommand(
        "exec", "run a new process in a container: exec [options] ID COMMAND [ARGS...]");
    command->add_option("--console-socket", exec.console_socket,
                        "path to an AF_UNIX socket that receives the master end of the "
                        "process's pseudoterminal");
    command->add_option("--pidfd-socket", exec.pidfd_socket,
                        "path to an AF_UNIX socket that receives a pidfd of the process");
    command->add_option("--cwd", exec.cwd, "working directory of the process in the container");
    add_repeatable(*command, "-e,--env", exec.env, "environment variable KEY=VALUE to set");
    command->add_flag("-t,--tty", exec.tty, "allocate a pseudoterminal for the process");
    command->add_option("-u,--user", exec.user, "user to run as: UID[:GID]");
    command->add_option("-g,--additional-gids", exec.additional_gids, "additional group id")
        ->allow_extra_args(false);
    command->add_option("-p,--process", exec.process_file,
                        "path to a process.json; the command arguments are then ignored");
    command->add_flag("-d,--detach", exec.detach,
                      "return after starting the process instead of waiting for it");
    command->add_option("--pid-file", exec.pid_file, "file to write the process id to");
    command->add_option("--process-label", exec.process_label, "SELinux label of the process");
    command->add_option("--apparmor", exec.apparmor, "AppArmor profile of the process");
    command->add_flag("--no-new-privs", exec.no_new_privs, "set no_new_privs for the process");
    add_repeatable(*command, "-c,--cap", exec.caps,
                   "capability to add to the process's sets, such as CAP_KILL");
    command
        ->add_option("--preserve-fds", exec.preserve_fds,
                     "number of file descriptors after stdio and $LISTEN_FDS to pass to the "
                     "process")
        ->check(CLI::NonNegativeNumber);
    add_repeatable(*command, "--cgroup", exec.cgroup,
                   "existing sub-cgroup to run the process in: [CONTROLLER:]PATH");
    command->add_flag("--ignore-paused", exec.ignore_paused, "allow exec in a paused container");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
    command->add_option("command", exec.args, "the command and its arguments");
}

int run_exec(const ParsedCommand& parsed) {
    return container::exec(parsed.global, parsed.exec);
}

}  // namespace ocirun::cli
