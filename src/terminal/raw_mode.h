// Putting the caller's terminal in raw mode for the length of a foreground run or exec.
#pragma once

#include <termios.h>

namespace ocirun::terminal {

// Puts the terminal behind `fd` in raw mode (cfmakeraw) and restores its saved attributes when
// destroyed, so every return and exception path restores it. Does nothing when `fd` is not a
// terminal. Move-only.
class RawMode {
  public:
    // Throws Error when `fd` is a terminal whose attributes cannot be read or set.
    explicit RawMode(int fd);
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    RawMode(RawMode&& other) noexcept;
    RawMode& operator=(RawMode&&) = delete;
    ~RawMode();

    // True when `fd` is a terminal that this object switched to raw mode.
    bool active() const { return fd_ >= 0; }

    // Restores the saved attributes now; the destructor then does nothing.
    void restore() noexcept;

  private:
    int fd_ = -1;
    termios saved_{};
};

}  // namespace ocirun::terminal
