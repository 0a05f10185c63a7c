// The parsed command line and, for each subcommand, its flag registration and its execution.
#pragma once

#include <CLI/CLI.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "container/operations.h"

namespace ocirun::cli {

// Everything the command line sets. Parsing fills it without running anything, so tests can
// check it; execute() then runs the selected command.
struct ParsedCommand {
    std::string command;  // the subcommand name; empty when only `output` is to be printed
    std::string output;   // help or version text printed instead of running a command
    container::GlobalOptions global;

    std::string id;
    container::RunOptions run;  // create fills run.create
    container::ExecOptions exec;

    // kill
    std::string signal = "SIGTERM";
    int signal_number = 0;
    bool all = false;
    // delete
    bool force = false;
    // list and ps
    std::string format = "table";
    bool quiet = false;
    std::vector<std::string> ps_args;
    // spec
    std::string bundle;
    bool rootless_spec = false;
    // create --image and run --image: the image as SOURCE[:TAG] or SOURCE@DIGEST
    std::string image;
    bool image_tty = false;  // --tty: process.terminal in the generated config.json
    // image unpack
    std::string image_source;
    std::string image_reference;
    std::string image_bundle;
};

// Registers each subcommand and its flags on `app`, storing the values in `parsed`.
void add_create(CLI::App& app, ParsedCommand& parsed);
void add_start(CLI::App& app, ParsedCommand& parsed);
void add_run(CLI::App& app, ParsedCommand& parsed);
void add_exec(CLI::App& app, ParsedCommand& parsed);
void add_state(CLI::App& app, ParsedCommand& parsed);
void add_list(CLI::App& app, ParsedCommand& parsed);
void add_kill(CLI::App& app, ParsedCommand& parsed);
void add_delete(CLI::App& app, ParsedCommand& parsed);
void add_ps(CLI::App& app, ParsedCommand& parsed);
void add_pause(CLI::App& app, ParsedCommand& parsed);
void add_resume(CLI::App& app, ParsedCommand& parsed);
void add_update(CLI::App& app, ParsedCommand& parsed);
void add_events(CLI::App& app, ParsedCommand& parsed);
void add_features(CLI::App& app, ParsedCommand& parsed);
void add_spec(CLI::App& app, ParsedCommand& parsed);
void add_image(CLI::App& app, ParsedCommand& parsed);

// Runs each subcommand; returns the exit status or throws Error.
int run_create(const ParsedCommand& parsed);
int run_start(const ParsedCommand& parsed);
int run_run(const ParsedCommand& parsed);
int run_exec(const ParsedCommand& parsed);
int run_state(const ParsedCommand& parsed);
int run_list(const ParsedCommand& parsed);
int run_kill(const ParsedCommand& parsed);
int run_delete(const ParsedCommand& parsed);
int run_ps(const ParsedCommand& parsed);
int run_pause(const ParsedCommand& parsed);
int run_resume(const ParsedCommand& parsed);
int run_update(const ParsedCommand& parsed);
int run_events(const ParsedCommand& parsed);
int run_features(const ParsedCommand& parsed);
int run_spec(const ParsedCommand& parsed);
int run_image(const ParsedCommand& parsed);

// One subcommand: its name, the registration of its flags and its execution.
struct CommandEntry {
    std::string_view name;
    void (*add)(CLI::App& app, ParsedCommand& parsed);
    int (*run)(const ParsedCommand& parsed);
};

// Returns every subcommand, in the order help lists them.
std::span<const CommandEntry> all_commands();

// Returns the subcommand called `name`, or null when there is none.
const CommandEntry* find_command(std::string_view name);

// Runs the command `parsed` selects and returns its exit status; throws Error on failure.
int execute(const ParsedCommand& parsed);

}  // namespace ocirun::cli
