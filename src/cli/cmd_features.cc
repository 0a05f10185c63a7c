// `ocirun features`: describes what this runtime supports (not yet run).
#include "cli/command.h"
#include "cli/not_implemented.h"

namespace ocirun::cli {

void add_features(CLI::App& app, ParsedCommand&) {
    app.add_subcommand("features", "print the features this runtime supports as JSON");
}

int run_features(const ParsedCommand&) {
    throw_not_implemented("features", "the features document of the runtime-spec");
}

}  // namespace ocirun::cli
