// recv-console: a console socket receiver for integration tests, standing in for conmon or
// containerd's shim.
//
// Usage: recv-console SOCKET [--output FILE] [--input TEXT] [--timeout SECONDS]
//
// Listens on SOCKET (the path appears only once the socket is listening, so a test can wait
// for it), accepts one connection, receives the pty master and checks the payload is
// `/dev/ptmx` and the fd is a pty master. Then writes TEXT to the master when given, and
// copies what the master yields to FILE or stdout until every peer is closed.
//
// Exit status: 0 success, 1 usage, 2 socket setup failed, 3 timed out, 4 the message had no fd
// or another payload, 5 the fd is not a pty master, 6 reading the master or writing the output
// failed.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/error.h"
#include "terminal/console_socket.h"
#include "terminal/fd_passing.h"
#include "terminal/pty.h"

namespace {

using ocirun::terminal::UniqueFd;
using Clock = std::chrono::steady_clock;

enum ExitStatus {
    kSuccess = 0,
    kUsage = 1,
    kSocketFailed = 2,
    kTimedOut = 3,
    kInvalidMessage = 4,
    kNotPtyMaster = 5,
    kIoFailed = 6,
};

struct Options {
    std::string socket_path;
    std::string output_path;  // empty: stdout
    std::string input;
    bool has_input = false;
    int timeout_seconds = 30;
};

bool parse_options(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        std::string argument = argv[i];
        bool has_value = i + 1 < argc;
        if (argument == "--output" && has_value) {
            options.output_path = argv[++i];
        } else if (argument == "--input" && has_value) {
            options.input = argv[++i];
            options.has_input = true;
        } else if (argument == "--timeout" && has_value) {
            options.timeout_seconds = std::stoi(argv[++i]);
        } else if (!argument.starts_with("--") && options.socket_path.empty()) {
            options.socket_path = argument;
        } else {
            return false;
        }
    }
    return !options.socket_path.empty() && options.timeout_seconds > 0;
}

// Binds under a temporary name and renames it to `path` after listen(), so that the path
// exists only while connections can succeed.
UniqueFd listen_at(const std::string& path) {
    std::string temporary = path + ".tmp" + std::to_string(::getpid());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (temporary.size() >= sizeof(address.sun_path)) {
        std::fprintf(stderr, "recv-console: socket path `%s` is too long\n", path.c_str());
        return UniqueFd();
    }
    std::memcpy(address.sun_path, temporary.c_str(), temporary.size() + 1);

    UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket.valid() ||
        ::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) < 0 ||
        ::listen(socket.get(), 1) < 0 || ::rename(temporary.c_str(), path.c_str()) < 0) {
        std::fprintf(stderr, "recv-console: listen on `%s`: %s\n", path.c_str(),
                     std::strerror(errno));
        ::unlink(temporary.c_str());
        return UniqueFd();
    }
    return socket;
}

// Returns the milliseconds left until `deadline`, at least 0.
int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_readable(int fd, Clock::time_point deadline) {
    while (true) {
        pollfd ready{fd, POLLIN, 0};
        int result = ::poll(&ready, 1, remaining_ms(deadline));
        if (result < 0 && errno == EINTR) {
            continue;
        }
        return result > 0;
    }
}

bool write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        data += written;
        size -= static_cast<size_t>(written);
    }
    return true;
}

// Copies the master to `output` until EIO, which the kernel returns once every peer is closed
// and the buffer is empty.
int copy_master(int master, int output, Clock::time_point deadline) {
    char buffer[4096];
    while (true) {
        if (!wait_readable(master, deadline)) {
            std::fprintf(stderr, "recv-console: timed out reading the pty master\n");
            return kTimedOut;
        }
        ssize_t size = ::read(master, buffer, sizeof(buffer));
        if (size < 0 && errno == EINTR) {
            continue;
        }
        if (size == 0 || (size < 0 && errno == EIO)) {
            return kSuccess;
        }
        if (size < 0) {
            std::fprintf(stderr, "recv-console: read the pty master: %s\n", std::strerror(errno));
            return kIoFailed;
        }
        if (!write_all(output, buffer, static_cast<size_t>(size))) {
            std::fprintf(stderr, "recv-console: write the output: %s\n", std::strerror(errno));
            return kIoFailed;
        }
    }
}

int run(const Options& options) {
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);
    UniqueFd listener = listen_at(options.socket_path);
    if (!listener.valid()) {
        return kSocketFailed;
    }
    if (!wait_readable(listener.get(), deadline)) {
        std::fprintf(stderr, "recv-console: timed out waiting for a connection\n");
        return kTimedOut;
    }
    UniqueFd connection(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection.valid()) {
        std::fprintf(stderr, "recv-console: accept: %s\n", std::strerror(errno));
        return kSocketFailed;
    }

    ocirun::terminal::ReceivedFd received;
    try {
        received = ocirun::terminal::receive_fd(connection.get());
    } catch (const ocirun::Error& error) {
        std::fprintf(stderr, "recv-console: %s\n", error.what());
        return kInvalidMessage;
    }
    if (received.payload != ocirun::terminal::kConsolePayload) {
        std::fprintf(stderr, "recv-console: payload is `%s`, expected `/dev/ptmx`\n",
                     received.payload.c_str());
        return kInvalidMessage;
    }
    try {
        ocirun::terminal::pty_number(received.fd.get());
    } catch (const ocirun::Error& error) {
        std::fprintf(stderr, "recv-console: %s\n", error.what());
        return kNotPtyMaster;
    }

    if (options.has_input &&
        !write_all(received.fd.get(), options.input.data(), options.input.size())) {
        std::fprintf(stderr, "recv-console: write the input: %s\n", std::strerror(errno));
        return kIoFailed;
    }

    UniqueFd output_file;
    int output = STDOUT_FILENO;
    if (!options.output_path.empty()) {
        output_file.reset(
            ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!output_file.valid()) {
            std::fprintf(stderr, "recv-console: open `%s`: %s\n", options.output_path.c_str(),
                         std::strerror(errno));
            return kIoFailed;
        }
        output = output_file.get();
    }
    return copy_master(received.fd.get(), output, deadline);
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    bool valid = false;
    try {
        valid = parse_options(argc, argv, options);
    } catch (const std::exception&) {
        valid = false;  // std::stoi rejected the timeout
    }
    if (!valid) {
        std::fprintf(stderr,
                     "usage: recv-console SOCKET [--output FILE] [--input TEXT] "
                     "[--timeout SECONDS]\n");
        return kUsage;
    }
    int status = run(options);
    ::unlink(options.socket_path.c_str());
    return status;
}
