// The table of subcommands, and running the one a ParsedCommand selects.
#include "base/error.h"
#include "cli/command.h"

namespace ocirun::cli {

namespace {

constexpr CommandEntry kCommands[] = {
    {"create", add_create, run_create},
    {"start", add_start, run_start},
    {"run", add_run, run_run},
    {"exec", add_exec, run_exec},
    {"state", add_state, run_state},
    {"list", add_list, run_list},
    {"kill", add_kill, run_kill},
    {"delete", add_delete, run_delete},
    {"ps", add_ps, run_ps},
    {"pause", add_pause, run_pause},
    {"resume", add_resume, run_resume},
    {"update", add_update, run_update},
    {"events", add_events, run_events},
    {"features", add_features, run_features},
    {"spec", add_spec, run_spec},
    {"image", add_image, run_image},
};

}  // namespace

std::span<const CommandEntry> all_commands() {
    return kCommands;
}

const CommandEntry* find_command(std::string_view name) {
    for (const CommandEntry& command : kCommands) {
        if (command.name == name) {
            return &command;
        }
    }
    return nullptr;
}

int execute(const ParsedCommand& parsed) {
    const CommandEntry* command = find_command(parsed.command);
    if (command == nullptr) {
        throw_error("unknown command \"" + parsed.command + "\"");
    }
    return command->run(parsed);
}

}  // namespace ocirun::cli
