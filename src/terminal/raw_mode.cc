// Raw mode for the caller's terminal, restored on scope exit.
#include "terminal/raw_mode.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "base/error.h"

namespace ocirun::terminal {

RawMode::RawMode(int fd) {
    if (::tcgetattr(fd, &saved_) < 0) {
        if (errno == ENOTTY || errno == EINVAL) {
            return;
        }
        throw_errno("get the terminal attributes of fd " + std::to_string(fd));
    }
    termios raw = saved_;
    ::cfmakeraw(&raw);
    if (::tcsetattr(fd, TCSANOW, &raw) < 0) {
        throw_errno("put the terminal of fd " + std::to_string(fd) + " in raw mode");
    }
    fd_ = fd;
}

RawMode::RawMode(RawMode&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), saved_(other.saved_) {}

RawMode::~RawMode() {
    restore();
}

void RawMode::restore() noexcept {
    if (fd_ < 0) {
        return;
    }
    // TCSANOW rather than TCSADRAIN, because a terminal that stopped reading must not hang the
    // runtime on its way out.
    ::tcsetattr(fd_, TCSANOW, &saved_);
    fd_ = -1;
}

}  // namespace ocirun::terminal
