// `ocirun delete`: removes a stopped container, or any container with --force.
#include "cli/command.h"

namespace ocirun::cli {

void add_delete(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command = app.add_subcommand(
        "delete", "delete a container's resources; the container must be stopped unless --force");
    command->add_flag("-f,--force", parsed.force,
                      "kill the container with SIGKILL first if it is still running");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_delete(const ParsedCommand& parsed) {
    container::remove(parsed.global, parsed.id, parsed.force);
    return 0;
}

}  // namespace ocirun::cli
