// `ocirun events`: reports a container's resource statistics (parsed, not yet run).
#include "cli/command.h"
#include "cli/not_implemented.h"

namespace ocirun::cli {

namespace {

struct EventsFlags {
    std::string interval = "5s";
    bool stats = false;
};

// The values are accepted so that containerd's command lines parse; nothing reads them yet.
EventsFlags events_flags;

}  // namespace

void add_events(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("events", "print a container's statistics and OOM events as JSON");
    command
        ->add_option("--interval", events_flags.interval,
                     "interval between statistics, as a Go duration such as 5s")
        ->capture_default_str();
    command->add_flag("--stats", events_flags.stats, "print the statistics once and exit");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_events(const ParsedCommand&) {
    throw_not_implemented("events", "reading cgroup statistics and OOM notifications");
}

}  // namespace ocirun::cli
