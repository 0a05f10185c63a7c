// `ocirun state`: prints a container's OCI state as `runc state` does.
#include <cstdio>

#include "cli/command.h"
#include "state/state_store.h"

namespace ocirun::cli {

void add_state(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command = app.add_subcommand("state", "print the OCI state of a container as JSON");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_state(const ParsedCommand& parsed) {
    state::StateStore store(parsed.global.root);
    state::ContainerState container = store.load(parsed.id);
    state::Status status = state::current_status(container, store.container_dir(parsed.id));
    // runc 1.1.5 prints the document indented by two spaces and without a final newline.
    std::string text = state::oci_state(container, status).dump(2);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

}  // namespace ocirun::cli
