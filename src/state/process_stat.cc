// Reading a process's scheduler state and start time from /proc/PID/stat.
#include "state/process_stat.h"

#include <charconv>
#include <sstream>
#include <string>

#include "base/file.h"

namespace ocirun::state {

namespace {

// Position of the start time among the fields that follow the command name: fields 3 to 22.
constexpr int kStartTimeToken = 20;

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
    size_t close = text.rfind(')');
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    std::istringstream fields{std::string(text.substr(close + 1))};
    ProcessStat stat;
    std::string token;
    for (int index = 1; index <= kStartTimeToken; ++index) {
        if (!(fields >> token)) {
            return std::nullopt;
        }
        if (index == 1) {
            if (token.size() != 1) {
                return std::nullopt;
            }
            stat.state = token[0];
        }
    }
    const char* end = token.data() + token.size();
    auto [ptr, error] = std::from_chars(token.data(), end, stat.start_time);
    if (error != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return stat;
}

std::optional<ProcessStat> read_process_stat(pid_t pid) {
    if (pid <= 0) {
        return std::nullopt;
    }
    std::optional<std::string> text = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!text) {
        return std::nullopt;
    }
    return parse_process_stat(*text);
}

}  // namespace ocirun::state
