// The command-line decision in plain loops, without std::string_view or strcmp. It runs from the
// ELF entry point before relocations, thread-local storage and glibc exist, so CMakeLists.txt
// compiles it with the same restricted flags as cli/entry.cc.
#include "security/container_command.h"

namespace ocirun::security {
namespace {

bool equals(const char* text, const char* expected) {
    while (*text != '\0' && *text == *expected) {
        ++text;
        ++expected;
    }
    return *text == *expected;
}

bool contains_char(const char* text, char character) {
    for (; *text != '\0'; ++text) {
        if (*text == character) {
            return true;
        }
    }
    return false;
}

// Global flags of the command line that take a value as the next argument.
bool takes_value(const char* flag) {
    return equals(flag, "--root") || equals(flag, "--log") || equals(flag, "--log-format") ||
           equals(flag, "--rootless") || equals(flag, "--criu");
}

bool is_boolean_flag(const char* flag) {
    return equals(flag, "--debug") || equals(flag, "--systemd-cgroup") || equals(flag, "--help") ||
           equals(flag, "-h") || equals(flag, "--version") || equals(flag, "-v");
}

bool is_container_command(const char* command) {
    return equals(command, "create") || equals(command, "run") || equals(command, "exec") ||
           equals(command, "restore");
}

}  // namespace

bool runs_container_code(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (arg[0] != '-') {
            return is_container_command(arg);
        }
        if (equals(arg, "--")) {
            return i + 1 < argc && is_container_command(argv[i + 1]);
        }
        if (contains_char(arg, '=') || is_boolean_flag(arg)) {
            continue;
        }
        if (takes_value(arg)) {
            ++i;
            continue;
        }
        // An unknown flag may take a value, so the command cannot be found safely.
        return true;
    }
    return false;
}

}  // namespace ocirun::security
