// `ocirun start`: runs the user process of a created container.
#include "cli/command.h"

namespace ocirun::cli {

void add_start(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("start", "run the user-specified process of a created container");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_start(const ParsedCommand& parsed) {
    container::start(parsed.global, parsed.id);
    return 0;
}

}  // namespace ocirun::cli
