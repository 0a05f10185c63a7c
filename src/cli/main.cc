// Entry point of the ocirun binary: parses the runc-compatible command line and dispatches.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "base/error.h"
#include "base/log.h"
#include "cli/command.h"
#include "cli/entry.h"
#include "cli/parser.h"
#include "security/self_exe.h"

namespace {

// runc 1.1.5 exits with 255 when exec fails before the process runs; other failures exit 1.
int failure_status(const ocirun::cli::ParsedCommand& parsed) {
    return parsed.command == "exec" ? 255 : 1;
}

void configure_log(const ocirun::container::GlobalOptions& global) {
    ocirun::log::Format format =
        global.log_format == "json" ? ocirun::log::Format::json : ocirun::log::Format::text;
    ocirun::log::configure(global.log, format, global.debug);
}

// Logs the failure once and, when the log goes to a file, also prints the plain message to
// stderr so that a caller that reads only stderr gets it, as runc does.
void report_failure(const std::exception& e) {
    ocirun::log::error(e.what());
    if (!ocirun::log::writes_to_stderr()) {
        std::fprintf(stderr, "%s\n", e.what());
    }
}

std::string current_directory() {
    std::error_code error;
    std::filesystem::path cwd = std::filesystem::current_path(error);
    return error ? std::string("/") : cwd.string();
}

// Set by reexec_before_static_initialization when /proc/self/exe needs no re-exec.
bool self_exe_checked = false;

// The commands that put a process in a container must not run from a binary that the container
// could overwrite through /proc/self/exe (CVE-2019-5736). The ELF entry point (entry.cc) makes
// the re-exec on x86-64, before glibc starts up. Elsewhere it runs here, before the C++ static
// initializers of the image it replaces: priority 101 orders this constructor before the
// default-priority ones, and glibc passes argc, argv and envp to it.
__attribute__((constructor(101))) void reexec_before_static_initialization(int argc, char** argv,
                                                                           char** /*envp*/) {
    switch (ocirun_entry_result) {
        case ocirun::cli::kEntryNoReexec:
            self_exe_checked = true;
            return;
        case ocirun::cli::kEntryFailed:
            // main makes the sealed copy or reports why neither works.
            return;
        default:
            self_exe_checked = ocirun::security::try_readonly_reexec(argc, argv);
    }
}

}  // namespace

int main(int argc, char** argv) {
    // When the constructor could not re-execute, this makes the sealed copy where mounting is
    // not allowed, or reports why neither works.
    if (!self_exe_checked) {
        try {
            ocirun::security::ensure_sealed_self(argc, argv);
        } catch (const ocirun::Error& e) {
            report_failure(e);
            return 1;
        }
    }

    std::vector<std::string> args(argv + 1, argv + argc);
    ocirun::cli::ParsedCommand parsed;
    try {
        parsed = ocirun::cli::parse_command_line(args, current_directory());
    } catch (const ocirun::Error& e) {
        report_failure(e);
        return 1;
    }
    if (parsed.command.empty()) {
        std::cout << parsed.output;
        return 0;
    }
    try {
        configure_log(parsed.global);
    } catch (const ocirun::Error& e) {
        report_failure(e);
        return 1;
    }
    try {
        return ocirun::cli::execute(parsed);
    } catch (const ocirun::Error& e) {
        report_failure(e);
    } catch (const std::exception& e) {
        report_failure(e);
    }
    return failure_status(parsed);
}
