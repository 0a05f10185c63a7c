// `ocirun create`: sets up a container from a bundle and waits for `start`.
#include "cli/create_flags.h"

namespace ocirun::cli {

void add_create(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command = app.add_subcommand(
        "create", "create a container from the bundle's config.json; `start` runs its process");
    add_create_flags(*command, parsed);
}

int run_create(const ParsedCommand& parsed) {
    container::RunOptions options = options_with_image(parsed);
    try {
        container::create(parsed.global, options.create);
    } catch (...) {
        remove_unused_image_bundle(parsed);
        throw;
    }
    return 0;
}

}  // namespace ocirun::cli
