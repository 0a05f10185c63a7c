// The one error type of the runtime: a message with its context, and the errno behind it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ocirun {

// Error categories that callers branch on; most errors are `generic`.
enum class ErrorKind {
    generic,
    not_found,       // e.g. `container "x" does not exist`
    already_exists,  // e.g. a container id in use
    invalid_spec,    // config.json or process.json is malformed or invalid
    wrong_state,     // e.g. `start` on a running container
    unsupported,     // a requested feature this host or build cannot provide
};

// Error carries a lowercase message such as "open `/proc/self/fd/5`: no such file or directory"
// and the errno that caused it (0 when none). Context is prepended as the error travels up.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, int error_number = 0,
                   ErrorKind kind = ErrorKind::generic);

    int error_number() const noexcept { return error_number_; }
    ErrorKind kind() const noexcept { return kind_; }

    // Returns a copy whose message is "context: <this message>", keeping errno and kind.
    Error with_context(std::string_view context) const;

private:
    int error_number_;
    ErrorKind kind_;
};

// Returns strerror(err) with a lowercase first letter, as runtime messages are written.
std::string errno_text(int err);

// Throws Error("context: <errno text>") for the given errno.
[[noreturn]] void throw_errno(std::string_view context, int err);

// Throws Error("context: <errno text>") for the current errno.
[[noreturn]] void throw_errno(std::string_view context);

// Throws Error(message) with the given kind and no errno.
[[noreturn]] void throw_error(std::string_view message, ErrorKind kind = ErrorKind::generic);

// Returns the value in backticks, the form messages use to show paths and names.
std::string quote(std::string_view value);

}  // namespace ocirun
