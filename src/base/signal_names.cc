// Signal names and numbers as `kill` accepts them.
#include "base/signal_names.h"

#include <signal.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "base/error.h"

namespace ocirun {

namespace {

// The names of Linux's standard signals, with their aliases IOT, CLD and POLL.
constexpr std::array<std::pair<std::string_view, int>, 34> kSignals = {{
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
}};

std::optional<int> parse_number(std::string_view text) {
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// Parses `RTMIN`, `RTMIN+N` and `RTMAX-N`, staying inside the real-time range.
std::optional<int> parse_realtime(std::string_view name) {
    int base = 0;
    int direction = 0;
    if (name.starts_with("RTMIN")) {
        base = SIGRTMIN;
        direction = 1;
    } else if (name.starts_with("RTMAX")) {
        base = SIGRTMAX;
        direction = -1;
    } else {
        return std::nullopt;
    }
    std::string_view rest = name.substr(5);
    if (rest.empty()) {
        return base;
    }
    char sign = direction > 0 ? '+' : '-';
    if (rest[0] != sign) {
        return std::nullopt;
    }
    auto offset = parse_number(rest.substr(1));
    if (!offset || *offset < 0) {
        return std::nullopt;
    }
    int signal = base + direction * *offset;
    if (signal < SIGRTMIN || signal > SIGRTMAX) {
        return std::nullopt;
    }
    return signal;
}

}  // namespace

int parse_signal(std::string_view text) {
    if (auto number = parse_number(text)) {
        if (*number >= 0 && *number <= SIGRTMAX) {
            return *number;
        }
    } else {
        std::string name(text);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        std::string_view bare = name;
        if (bare.starts_with("SIG")) {
            bare.remove_prefix(3);
        }
        for (const auto& [known, value] : kSignals) {
            if (bare == known) {
                return value;
            }
        }
        if (auto realtime = parse_realtime(bare)) {
            return *realtime;
        }
    }
    throw_error("unknown signal \"" + std::string(text) + "\"");
}

std::string signal_name(int signal) {
    for (const auto& [known, value] : kSignals) {
        if (value == signal) {
            return "SIG" + std::string(known);
        }
    }
    if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
        return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
    }
    return std::to_string(signal);
}

}  // namespace ocirun
