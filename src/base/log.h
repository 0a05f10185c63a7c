// Runtime log in runc's formats: logrus text records or one JSON object per line.
#pragma once

#include <string>
#include <string_view>

namespace ocirun::log {

enum class Level { error, warning, info, debug };
enum class Format { text, json };

// Sends records to `path` (appending; created 0644) or, when path is empty, to stderr.
// Debug records are written only when `debug` is set. Throws Error when the file cannot open.
void configure(const std::string& path, Format format, bool debug);

// Sets the fd records go to; used by a child process that must log through an inherited fd.
void set_fd(int fd);

// True when records go to stderr, so a failure must not be printed a second time.
bool writes_to_stderr();

bool debug_enabled();

void write(Level level, std::string_view message);

inline void error(std::string_view message) { write(Level::error, message); }
inline void warning(std::string_view message) { write(Level::warning, message); }
inline void info(std::string_view message) { write(Level::info, message); }
inline void debug(std::string_view message) { write(Level::debug, message); }

// Formats one record without its trailing newline; exposed for tests.
std::string format_record(Level level, std::string_view message, Format format,
                          std::string_view time);

// Returns the current time as RFC 3339 in UTC with second precision, as logrus writes it.
std::string current_time();

}  // namespace ocirun::log
