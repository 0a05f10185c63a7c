// `ocirun spec`: writes a default config.json into a bundle.
#include "cli/command.h"
#include "spec/default_config.h"

namespace ocirun::cli {

void add_spec(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("spec", "write a default config.json (as `runc spec` does)");
    command->add_option("-b,--bundle", parsed.bundle,
                        "bundle directory to write config.json into (default: the current "
                        "directory)");
    command->add_flag("--rootless", parsed.rootless_spec,
                      "write a config for a container run by an unprivileged user");
}

int run_spec(const ParsedCommand& parsed) {
    spec::write_default_config(parsed.bundle, parsed.rootless_spec);
    return 0;
}

}  // namespace ocirun::cli
