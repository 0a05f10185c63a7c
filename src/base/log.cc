#include "base/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace ocirun::log {

namespace {

struct Sink {
    int fd = STDERR_FILENO;
    Format format = Format::text;
    bool debug = false;
};

Sink& sink() {
    static Sink instance;
    return instance;
}

const char* level_name(Level level) {
    switch (level) {
        case Level::error:
            return "error";
        case Level::warning:
            return "warning";
        case Level::info:
            return "info";
        case Level::debug:
            return "debug";
    }
    return "error";
}

// Quotes a value the way logrus's text formatter does (Go's %q for the common cases).
std::string text_quote(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

}  // namespace

void configure(const std::string& path, Format format, bool debug) {
    Sink& s = sink();
    s.format = format;
    s.debug = debug;
    if (path.empty()) {
        return;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw_errno("open log file " + quote(path));
    }
    s.fd = fd;
}

void set_fd(int fd) { sink().fd = fd; }

bool writes_to_stderr() { return sink().fd == STDERR_FILENO; }

bool debug_enabled() { return sink().debug; }

std::string current_time() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

std::string format_record(Level level, std::string_view message, Format format,
                          std::string_view time) {
    if (format == Format::json) {
        nlohmann::ordered_json record;
        record["level"] = level_name(level);
        record["msg"] = message;
        record["time"] = time;
        return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return "time=\"" + std::string(time) + "\" level=" + level_name(level) +
           " msg=" + text_quote(message);
}

void write(Level level, std::string_view message) {
    const Sink& s = sink();
    if (level == Level::debug && !s.debug) {
        return;
    }
    std::string line = format_record(level, message, s.format, current_time()) + "\n";
    // One write per record so that records from several processes never interleave.
    ssize_t ignored = ::write(s.fd, line.data(), line.size());
    (void)ignored;
}

}  // namespace ocirun::log
