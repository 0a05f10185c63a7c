// Hook processes: fork, feed the state, collect output, enforce the timeout.
#include "hooks/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/log.h"

namespace ocirun::hooks {

namespace {

// Output kept from each stream for the error message.
constexpr size_t kMaxOutput = 4096;

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) {
            close(fd_);
        }
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

struct Pipe {
    Fd read_end;
    Fd write_end;
};

void open_pipe(Pipe& pipe) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw_errno("create hook pipe");
    }
    pipe.read_end.reset(fds[0]);
    pipe.write_end.reset(fds[1]);
}

std::vector<char*> to_argv(std::vector<std::string>& strings) {
    std::vector<char*> argv;
    for (auto& value : strings) {
        argv.push_back(value.data());
    }
    argv.push_back(nullptr);
    return argv;
}

[[noreturn]] void exec_hook(const spec::Hook& hook, int stdin_fd, int stdout_fd, int stderr_fd) {
    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) {
        _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    std::vector<std::string> args = hook.args;
    if (args.empty()) {
        args.push_back(hook.path);
    }
    std::vector<std::string> env = hook.env;
    std::vector<char*> argv = to_argv(args);
    std::vector<char*> envp = to_argv(env);
    execve(hook.path.c_str(), argv.data(), envp.data());
    std::string message = "exec " + hook.path + ": " + errno_text(errno) + "\n";
    (void)!write(2, message.data(), message.size());
    _exit(127);
}

int64_t now_ms() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        throw_errno("set hook pipe non-blocking");
    }
}

// Reads what is available on `fd` into `output`, keeping at most kMaxOutput bytes. Returns
// false at end of file or on an error, when the caller closes the fd.
bool drain(int fd, std::string& output) {
    char buffer[4096];
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof(buffer));
        if (count > 0) {
            size_t room = kMaxOutput > output.size() ? kMaxOutput - output.size() : 0;
            output.append(buffer, std::min(room, static_cast<size_t>(count)));
            continue;
        }
        if (count < 0 && errno == EINTR) {
            continue;
        }
        return count < 0 && errno == EAGAIN;
    }
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return std::string("killed by signal ") + sigabbrev_np(WTERMSIG(status));
    }
    return "status " + std::to_string(status);
}

struct HookIo {
    pid_t pid;
    int pidfd;
    Fd& stdin_fd;
    Fd& stdout_fd;
    Fd& stderr_fd;
    std::string_view input;
    std::string out;
    std::string err;
};

// Feeds stdin, collects output and waits for the hook to exit. Returns false when the deadline
// (CLOCK_MONOTONIC milliseconds, -1 for none) passed first.
bool supervise(HookIo& io, int64_t deadline_ms) {
    size_t input_offset = 0;
    if (io.input.empty()) {
        io.stdin_fd.reset();
    }
    bool exited = false;
    while (!exited) {
        pollfd fds[4];
        nfds_t count = 0;
        fds[count++] = {io.pidfd, POLLIN, 0};
        int stdout_index = -1, stderr_index = -1, stdin_index = -1;
        if (io.stdout_fd.get() >= 0) {
            stdout_index = static_cast<int>(count);
            fds[count++] = {io.stdout_fd.get(), POLLIN, 0};
        }
        if (io.stderr_fd.get() >= 0) {
            stderr_index = static_cast<int>(count);
            fds[count++] = {io.stderr_fd.get(), POLLIN, 0};
        }
        if (io.stdin_fd.get() >= 0) {
            stdin_index = static_cast<int>(count);
            fds[count++] = {io.stdin_fd.get(), POLLOUT, 0};
        }
        int timeout = -1;
        if (deadline_ms >= 0) {
            int64_t left = deadline_ms - now_ms();
            if (left <= 0) {
                return false;
            }
            timeout = static_cast<int>(left);
        }
        int ready = poll(fds, count, timeout);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            throw_errno("poll hook");
        }
        if (ready == 0) {
            return false;
        }
        if (stdout_index >= 0 && fds[stdout_index].revents != 0 &&
            !drain(io.stdout_fd.get(), io.out)) {
            io.stdout_fd.reset();
        }
        if (stderr_index >= 0 && fds[stderr_index].revents != 0 &&
            !drain(io.stderr_fd.get(), io.err)) {
            io.stderr_fd.reset();
        }
        if (stdin_index >= 0 && fds[stdin_index].revents != 0) {
            ssize_t written = write(io.stdin_fd.get(), io.input.data() + input_offset,
                                    io.input.size() - input_offset);
            // A hook that does not read its stdin is not an error (EPIPE).
            if (written < 0 && errno != EAGAIN && errno != EINTR) {
                io.stdin_fd.reset();
            } else if (written > 0) {
                input_offset += static_cast<size_t>(written);
                if (input_offset == io.input.size()) {
                    io.stdin_fd.reset();
                }
            }
        }
        exited = (fds[0].revents & POLLIN) != 0;
    }
    // Collect output written just before exit; a background child of the hook may keep the
    // pipes open, so read only what is there now.
    if (io.stdout_fd.get() >= 0) {
        drain(io.stdout_fd.get(), io.out);
    }
    if (io.stderr_fd.get() >= 0) {
        drain(io.stderr_fd.get(), io.err);
    }
    return true;
}

}  // namespace

void run_hook(const spec::Hook& hook, std::string_view state_json) {
    Pipe input, output, errors;
    open_pipe(input);
    open_pipe(output);
    open_pipe(errors);

    pid_t pid = fork();
    if (pid < 0) {
        throw_errno("fork hook " + quote(hook.path));
    }
    if (pid == 0) {
        exec_hook(hook, input.read_end.get(), output.write_end.get(), errors.write_end.get());
    }
    input.read_end.reset();
    output.write_end.reset();
    errors.write_end.reset();

    Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.get() < 0) {
        int saved = errno;
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        throw_errno("pidfd_open of hook " + quote(hook.path), saved);
    }
    set_nonblocking(input.write_end.get());
    set_nonblocking(output.read_end.get());
    set_nonblocking(errors.read_end.get());

    // Writing to a hook that closed its stdin must fail with EPIPE, not kill the runtime.
    struct sigaction ignore {
    }, previous{};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous);

    HookIo io{pid, pidfd.get(), input.write_end, output.read_end, errors.read_end, state_json,
              {},  {}};
    int64_t deadline = hook.timeout ? now_ms() + *hook.timeout * 1000 : -1;
    bool finished;
    try {
        finished = supervise(io, deadline);
    } catch (...) {
        sigaction(SIGPIPE, &previous, nullptr);
        ::kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        throw;
    }
    sigaction(SIGPIPE, &previous, nullptr);

    if (!finished) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string detail = ", stdout: " + io.out + ", stderr: " + io.err;
    if (!finished) {
        throw Error(quote(hook.path) + " timed out after " + std::to_string(*hook.timeout) +
                        "s and was killed" + detail,
                    ETIMEDOUT);
    }
    if (status != 0) {
        throw_error(quote(hook.path) + " failed: " + describe_status(status) + detail);
    }
}

void run_hooks(const std::vector<spec::Hook>& hooks, std::string_view kind,
               std::string_view state_json) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        try {
            run_hook(hooks[i], state_json);
        } catch (const Error& error) {
            throw error.with_context("error running " + std::string(kind) + " hook #" +
                                     std::to_string(i));
        }
    }
}

void run_hooks_logging_failures(const std::vector<spec::Hook>& hooks, std::string_view kind,
                                std::string_view state_json) {
    for (size_t i = 0; i < hooks.size(); ++i) {
        try {
            run_hook(hooks[i], state_json);
        } catch (const Error& error) {
            log::warning("error running " + std::string(kind) + " hook #" + std::to_string(i) +
                         ": " + error.what());
        }
    }
}

}  // namespace ocirun::hooks
