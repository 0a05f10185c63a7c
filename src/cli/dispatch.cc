// Runs the command a ParsedCommand selects.
#include <map>

#include "base/error.h"
#include "cli/command.h"

namespace ocirun::cli {

int execute(const ParsedCommand& parsed) {
    using Runner = int (*)(const ParsedCommand&);
    static const std::map<std::string, Runner> kRunners = {
        {"create", run_create}, {"start", run_start},       {"run", run_run},
        {"exec", run_exec},     {"state", run_state},       {"list", run_list},
        {"kill", run_kill},     {"delete", run_delete},     {"ps", run_ps},
        {"pause", run_pause},   {"resume", run_resume},     {"update", run_update},
        {"events", run_events}, {"features", run_features}, {"spec", run_spec},
        {"image", run_image},
    };
    auto found = kRunners.find(parsed.command);
    if (found == kRunners.end()) {
        throw_error("unknown command \"" + parsed.command + "\"");
    }
    return found->second(parsed);
}

}  // namespace ocirun::cli
