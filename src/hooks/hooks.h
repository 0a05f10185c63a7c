// Running OCI hooks: the state JSON on stdin, args and env exactly as config.json gives them,
// and an optional timeout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.h"

namespace ocirun::hooks {

// Runs one hook and waits for it. Throws Error when it cannot start, exits non-zero, is killed
// by a signal, or outlives `timeout` (it is then killed with SIGKILL); the message includes
// what the hook wrote to stdout and stderr.
void run_hook(const spec::Hook& hook, std::string_view state_json);

// Runs the hooks in order and stops at the first failure, adding "<kind> hook #N" to the
// message. `kind` is the config.json name, such as "prestart".
void run_hooks(const std::vector<spec::Hook>& hooks, std::string_view kind,
               std::string_view state_json);

// Runs every hook in order, logging each failure as a warning instead of stopping (poststop).
void run_hooks_logging_failures(const std::vector<spec::Hook>& hooks, std::string_view kind,
                                std::string_view state_json);

}  // namespace ocirun::hooks
