// Reading a process's scheduler state and start time from /proc/PID/stat.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace ocirun::state {

struct ProcessStat {
    char state = '?';         // field 3: 'R', 'S', 'D', 'Z', 'X', ...
    uint64_t start_time = 0;  // field 22: clock ticks since boot
};

// Parses the contents of a /proc/PID/stat file. Returns nullopt when it is malformed. The
// command name (field 2) may itself contain spaces and parentheses, so the fields are counted
// from the last `)`.
std::optional<ProcessStat> parse_process_stat(std::string_view text);

// Returns nullopt when the process does not exist or its stat file cannot be read.
std::optional<ProcessStat> read_process_stat(pid_t pid);

}  // namespace ocirun::state
