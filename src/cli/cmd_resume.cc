// `ocirun resume`: thaws a paused container.
#include "cli/command.h"

namespace ocirun::cli {

void add_resume(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command = app.add_subcommand("resume", "resume all processes of a paused container");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_resume(const ParsedCommand& parsed) {
    container::resume(parsed.global, parsed.id);
    return 0;
}

}  // namespace ocirun::cli
