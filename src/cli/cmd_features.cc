// `ocirun features`: prints the runtime-spec features document as JSON.
#include <iostream>

#include "cli/command.h"
#include "container/features.h"

namespace ocirun::cli {

void add_features(CLI::App& app, ParsedCommand&) {
    app.add_subcommand("features", "print the features this runtime supports as JSON");
}

// Indented by four spaces, as `runc features` writes it.
int run_features(const ParsedCommand&) {
    std::cout << container::features_document().dump(4) << '\n';
    return 0;
}

}  // namespace ocirun::cli
