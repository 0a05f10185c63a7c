// The poll loop that relays a pty, window sizes and signals for a foreground process.
#include "terminal/relay.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>

#include <array>
#include <cerrno>
#include <string>

#include "base/error.h"
#include "terminal/unique_fd.h"

namespace ocirun::terminal {
namespace {

constexpr size_t kChunkSize = 16 * 1024;

// Blocks a set of signals and restores the previous mask when destroyed.
class SignalMaskGuard {
  public:
    explicit SignalMaskGuard(const sigset_t& blocked) {
        if (::sigprocmask(SIG_BLOCK, &blocked, &saved_) < 0) {
            throw_errno("block signals for the terminal relay");
        }
    }
    SignalMaskGuard(const SignalMaskGuard&) = delete;
    SignalMaskGuard& operator=(const SignalMaskGuard&) = delete;
    ~SignalMaskGuard() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

  private:
    sigset_t saved_{};
};

// Sets O_NONBLOCK on an fd and puts the old flags back when destroyed.
class NonBlockingGuard {
  public:
    explicit NonBlockingGuard(int fd) : fd_(fd) {
        flags_ = ::fcntl(fd, F_GETFL);
        if (flags_ < 0 || ::fcntl(fd, F_SETFL, flags_ | O_NONBLOCK) < 0) {
            throw_errno("make the pty master fd " + std::to_string(fd) + " non-blocking");
        }
    }
    NonBlockingGuard(const NonBlockingGuard&) = delete;
    NonBlockingGuard& operator=(const NonBlockingGuard&) = delete;
    ~NonBlockingGuard() { ::fcntl(fd_, F_SETFL, flags_); }

  private:
    int fd_;
    int flags_ = 0;
};

// Writes all of `data` to an fd that may be blocking or not. Returns false when the reader
// went away (EPIPE or EIO), so the caller stops writing there.
// NOTE: the caller's stdout stays blocking (it is shared with the shell), so a stalled reader
// of the output also stalls signal forwarding until it reads again.
bool write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written < 0 && errno == EAGAIN) {
            pollfd ready{fd, POLLOUT, 0};
            ::poll(&ready, 1, -1);
            continue;
        }
        if (written < 0 && (errno == EPIPE || errno == EIO)) {
            return false;
        }
        if (written < 0) {
            throw_errno("write the terminal output to fd " + std::to_string(fd));
        }
        data += written;
        size -= static_cast<size_t>(written);
    }
    return true;
}

// Copies the window size of `from` to `to` when `from` is a terminal.
void copy_window_size(int from, int to) {
    winsize size{};
    if (::ioctl(from, TIOCGWINSZ, &size) < 0) {
        return;
    }
    ::ioctl(to, TIOCSWINSZ, &size);
}

// The state of one relay run. Each handle_* method reacts to one ready fd.
class Relay {
  public:
    Relay(int master_fd, int pidfd, const std::function<void(int)>& forward_signal, RelayFds fds,
          int signal_fd)
        : master_(master_fd),
          pidfd_(pidfd),
          forward_signal_(forward_signal),
          fds_(fds),
          signal_fd_(signal_fd),
          master_open_(master_fd >= 0),
          input_open_(master_fd >= 0) {}

    void run();

  private:
    enum Slot { kSignals, kPidfd, kInput, kMaster, kSlotCount };

    void handle_signals();
    void handle_master(short revents);
    void handle_input();
    bool finished() const { return exited_ && !master_open_; }

    int master_;
    int pidfd_;
    const std::function<void(int)>& forward_signal_;
    RelayFds fds_;
    int signal_fd_;
    bool master_open_;
    bool input_open_;
    bool output_open_ = true;
    bool exited_ = false;
    std::string to_master_;
};

void Relay::run() {
    if (master_open_) {
        copy_window_size(fds_.input, master_);
    }
    while (!finished()) {
        std::array<pollfd, kSlotCount> slots{};
        for (pollfd& slot : slots) {
            slot.fd = -1;
        }
        slots[kSignals] = {signal_fd_, POLLIN, 0};
        if (!exited_) {
            slots[kPidfd] = {pidfd_, POLLIN, 0};
        }
        if (input_open_ && !exited_ && to_master_.empty()) {
            slots[kInput] = {fds_.input, POLLIN, 0};
        }
        if (master_open_) {
            short events = POLLIN;
            if (!to_master_.empty() && !exited_) {
                events |= POLLOUT;
            }
            slots[kMaster] = {master_, events, 0};
        }

        int timeout = exited_ ? kDrainIdleMilliseconds : -1;
        int ready = ::poll(slots.data(), slots.size(), timeout);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            throw_errno("poll the terminal relay");
        }
        if (ready == 0) {
            return;  // the process exited and the master stayed idle
        }

        if (slots[kSignals].revents != 0) {
            handle_signals();
        }
        if (slots[kPidfd].revents != 0) {
            exited_ = true;
        }
        if (slots[kMaster].revents != 0) {
            handle_master(slots[kMaster].revents);
        }
        if (slots[kInput].revents != 0) {
            handle_input();
        }
    }
}

void Relay::handle_signals() {
    signalfd_siginfo info{};
    while (true) {
        ssize_t size = ::read(signal_fd_, &info, sizeof(info));
        if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        if (size != static_cast<ssize_t>(sizeof(info))) {
            throw_errno("read the terminal relay's signalfd");
        }
        int number = static_cast<int>(info.ssi_signo);
        if (number == SIGWINCH) {
            if (master_open_) {
                copy_window_size(fds_.input, master_);
            }
        } else if (!exited_) {
            forward_signal_(number);
        }
    }
}

void Relay::handle_master(short revents) {
    if ((revents & POLLOUT) != 0) {
        ssize_t written = ::write(master_, to_master_.data(), to_master_.size());
        if (written > 0) {
            to_master_.erase(0, static_cast<size_t>(written));
        } else if (written < 0 && errno != EAGAIN && errno != EINTR) {
            to_master_.clear();
            input_open_ = false;
        }
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        return;
    }

    std::array<char, kChunkSize> chunk{};
    ssize_t size = ::read(master_, chunk.data(), chunk.size());
    if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    // EIO means every peer fd is closed and the pty buffer is empty.
    if (size <= 0) {
        master_open_ = false;
        to_master_.clear();
        return;
    }
    if (output_open_) {
        output_open_ = write_all(fds_.output, chunk.data(), static_cast<size_t>(size));
    }
}

void Relay::handle_input() {
    std::array<char, kChunkSize> chunk{};
    ssize_t size = ::read(fds_.input, chunk.data(), chunk.size());
    if (size < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    // NOTE: end of input stops the copy but sends no EOF character to the process, as in runc
    // 1.1. So a process that reads its terminal until EOF keeps waiting.
    if (size <= 0) {
        input_open_ = false;
        return;
    }
    to_master_.append(chunk.data(), static_cast<size_t>(size));
}

// Reads and drops the signals left pending once the process is gone, so that restoring the
// caller's mask does not deliver them to the runtime.
void discard_pending(int signal_fd) {
    signalfd_siginfo info{};
    while (::read(signal_fd, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    }
}

}  // namespace

sigset_t forwarded_signals() {
    sigset_t set;
    ::sigfillset(&set);
    for (int excluded : {SIGKILL, SIGSTOP, SIGCHLD, SIGWINCH, SIGPIPE}) {
        ::sigdelset(&set, excluded);
    }
    return set;
}

void relay_until_exit(int master_fd, int pidfd, const std::function<void(int)>& forward_signal,
                      RelayFds fds) {
    sigset_t handled = forwarded_signals();
    ::sigaddset(&handled, SIGWINCH);
    SignalMaskGuard mask(handled);

    UniqueFd signal_fd(::signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!signal_fd.valid()) {
        throw_errno("create the terminal relay's signalfd");
    }

    if (master_fd >= 0) {
        NonBlockingGuard non_blocking(master_fd);
        Relay(master_fd, pidfd, forward_signal, fds, signal_fd.get()).run();
    } else {
        Relay(master_fd, pidfd, forward_signal, fds, signal_fd.get()).run();
    }
    discard_pending(signal_fd.get());
}

}  // namespace ocirun::terminal
