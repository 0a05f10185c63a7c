// Rewrites runc-style arguments into the form CLI11 parses.
#include "cli/args.h"

#include "base/error.h"

namespace ocirun::cli {

namespace {

std::string_view flag_name(std::string_view arg) {
    size_t equals = arg.find('=');
    return equals == std::string_view::npos ? arg : arg.substr(0, equals);
}

// Returns the option `arg` names in `scope`, after rewriting a single-dash long flag.
const CLI::Option* resolve_flag(std::string& arg, const CLI::App& scope) {
    std::string name(flag_name(arg));
    if (const CLI::Option* option = scope.get_option_no_throw(name)) {
        return option;
    }
    bool single_dash_long = name.size() > 2 && name[0] == '-' && name[1] != '-';
    if (single_dash_long) {
        if (const CLI::Option* option = scope.get_option_no_throw("-" + name)) {
            arg.insert(arg.begin(), '-');
            return option;
        }
    }
    return nullptr;
}

// True when `option` takes its value from the next argument, as in `--bundle DIR`.
bool takes_next_arg(const CLI::Option* option, const std::string& arg) {
    return option != nullptr && option->get_expected_min() > 0 &&
           arg.find('=') == std::string::npos;
}

bool passes_command_through(const CLI::App& scope) {
    return scope.get_name() == "exec" || scope.get_name() == "ps";
}

}  // namespace

std::vector<std::string> normalize_args(const std::vector<std::string>& args, const CLI::App& app) {
    std::vector<std::string> out;
    const CLI::App* scope = &app;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--") {
            out.insert(out.end(), args.begin() + static_cast<long>(i), args.end());
            break;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            const CLI::Option* option = resolve_flag(arg, *scope);
            out.push_back(arg);
            if (takes_next_arg(option, arg) && i + 1 < args.size()) {
                out.push_back(args[++i]);
            }
            continue;
        }
        if (scope == &app) {
            auto matches = app.get_subcommands(
                [&arg](const CLI::App* subcommand) { return subcommand->check_name(arg); });
            if (matches.empty()) {
                throw_error("unknown command \"" + arg + "\"");
            }
            scope = matches.front();
            out.push_back(arg);
            continue;
        }
        out.push_back(arg);
        if (passes_command_through(*scope)) {
            size_t rest = i + 1;
            if (rest < args.size() && args[rest] == "--") {
                ++rest;
            }
            if (rest < args.size()) {
                out.push_back("--");
                out.insert(out.end(), args.begin() + static_cast<long>(rest), args.end());
            }
            break;
        }
    }
    return out;
}

std::string command_name(const std::vector<std::string>& args, const CLI::App& app) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg == "--") {
            return {};
        }
        if (arg.size() > 1 && arg[0] == '-') {
            if (takes_next_arg(resolve_flag(arg, app), arg)) {
                ++i;
            }
            continue;
        }
        return arg;
    }
    return {};
}

}  // namespace ocirun::cli
