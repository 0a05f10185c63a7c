// `ocirun kill`: sends a signal to a container's init process or to all its processes.
#include "cli/command.h"

namespace ocirun::cli {

void add_kill(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command = app.add_subcommand(
        "kill", "send a signal (default: SIGTERM) to the container's init process");
    command->add_flag("-a,--all", parsed.all,
                      "send the signal to every process in the container's cgroup");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
    command
        ->add_option("signal", parsed.signal,
                     "signal number or name, with or without SIG: 9, KILL, SIGKILL")
        ->capture_default_str();
}

int run_kill(const ParsedCommand& parsed) {
    container::kill(parsed.global, parsed.id, parsed.signal_number, parsed.all);
    return 0;
}

}  // namespace ocirun::cli
