// `ocirun events`: prints a container's statistics and OOM kills as runc's JSON records.
#include "cli/command.h"
#include "container/events.h"

namespace ocirun::cli {

namespace {

struct EventsFlags {
    std::string interval = "5s";
    bool stats = false;
};

// ParsedCommand has no room for these flags, so they are kept here between parse and run.
EventsFlags events_flags;

}  // namespace

void add_events(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* command =
        app.add_subcommand("events", "print a container's statistics and OOM events as JSON");
    command
        ->add_option("--interval", events_flags.interval,
                     "interval between statistics, as a Go duration such as 5s, 1m30s or 500ms")
        ->capture_default_str();
    command->add_flag("--stats", events_flags.stats, "print the statistics once and exit");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_events(const ParsedCommand& parsed) {
    container::EventsOptions options;
    options.id = parsed.id;
    options.interval = container::parse_go_duration("--interval", events_flags.interval);
    options.stats = events_flags.stats;
    container::events(parsed.global, options);
    return 0;
}

}  // namespace ocirun::cli
