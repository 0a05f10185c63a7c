// Rewrites runc-style arguments into the form CLI11 parses.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace ocirun::cli {

// Rewrites `args` (without the program name) for `app`, whose subcommands are registered:
//  - a single-dash long flag (`-bundle x`, `-pid-file=x`) becomes `--bundle x`, as Go's flag
//    package accepts both forms;
//  - for `exec` and `ps`, everything after the container id is passed through untouched after
//    an inserted `--`, because those arguments belong to the command run in the container (or
//    to `ps`). A `--` right after the id is dropped.
// Throws Error `unknown command "NAME"` when the first positional argument is not a command, so
// that `checkpoint --help` fails instead of printing the global help.
std::vector<std::string> normalize_args(const std::vector<std::string>& args, const CLI::App& app);

// Returns the first positional argument of `args` before any `--`, skipping the options of `app`
// and their values, or an empty string when there is none. That argument names the command.
std::string command_name(const std::vector<std::string>& args, const CLI::App& app);

}  // namespace ocirun::cli
