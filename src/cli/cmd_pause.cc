// `ocirun pause`: freezes every process of a container.
#include "cli/command.h"

namespace ocirun::cli {

void add_pause(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("pause", "suspend all processes of a container (cgroup freezer)");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_pause(const ParsedCommand& parsed) {
    container::pause(parsed.global, parsed.id);
    return 0;
}

}  // namespace ocirun::cli
