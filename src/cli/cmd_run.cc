// `ocirun run`: creates and starts a container, then waits for it unless detached.
#include "cli/create_flags.h"

namespace ocirun::cli {

void add_run(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("run", "create and start a container and wait for it to exit");
    add_create_flags(*command, parsed);
    command->add_flag("-d,--detach", parsed.run.detach,
                      "return after starting instead of waiting for the container to exit");
    command->add_flag("--keep", parsed.run.keep, "do not delete the container after it exits");
    command->add_flag("--no-subreaper", parsed.run.no_subreaper,
                      "do not make ocirun a child subreaper for the container's processes");
}

int run_run(const ParsedCommand& parsed) {
    container::RunOptions options = options_with_image(parsed);
    try {
        return container::run(parsed.global, options);
    } catch (...) {
        remove_unused_image_bundle(parsed);
        throw;
    }
}

}  // namespace ocirun::cli
