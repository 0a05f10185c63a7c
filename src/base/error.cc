#include "base/error.h"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace ocirun {

Error::Error(const std::string& message, int error_number, ErrorKind kind)
    : std::runtime_error(message), error_number_(error_number), kind_(kind) {}

Error Error::with_context(std::string_view context) const {
    return Error(std::string(context) + ": " + what(), error_number_, kind_);
}

std::string errno_text(int err) {
    std::string text = strerrordesc_np(err) != nullptr ? strerrordesc_np(err)
                                                        : "errno " + std::to_string(err);
    if (!text.empty()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

void throw_errno(std::string_view context, int err) {
    ErrorKind kind = err == ENOENT ? ErrorKind::not_found : ErrorKind::generic;
    throw Error(std::string(context) + ": " + errno_text(err), err, kind);
}

void throw_errno(std::string_view context) { throw_errno(context, errno); }

void throw_error(std::string_view message, ErrorKind kind) {
    throw Error(std::string(message), 0, kind);
}

std::string quote(std::string_view value) { return "`" + std::string(value) + "`"; }

}  // namespace ocirun
