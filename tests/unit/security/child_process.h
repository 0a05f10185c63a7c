// Runs a test body in a forked child, for tests that change process state such as credentials,
// capabilities or a seccomp filter.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <functional>
#include <string>

namespace ocirun::test_support {

struct ChildResult {
    bool exited = false;
    int exit_code = -1;
    int signal = 0;
    // What the body returned, or the message of the exception it threw. Empty means success.
    std::string failure;
};

// Forks, runs `body` in the child and reports how the child ended. The body returns an empty
// string on success or a description of the failed check; an exception counts as a failure
// with its message. The child leaves through _exit, so no test cleanup runs twice.
inline ChildResult run_in_child(const std::function<std::string()>& body) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        return {false, -1, 0, "pipe2 failed"};
    }
    const pid_t pid = fork();
    if (pid < 0) {
        return {false, -1, 0, "fork failed"};
    }

    if (pid == 0) {
        close(pipe_fds[0]);
        std::string failure;
        try {
            failure = body();
        } catch (const std::exception& e) {
            failure = std::string("exception: ") + e.what();
        }
        ssize_t ignored = write(pipe_fds[1], failure.data(), failure.size());
        (void)ignored;
        _exit(failure.empty() ? 0 : 1);
    }

    close(pipe_fds[1]);
    ChildResult result;
    char buffer[4096];
    ssize_t got = 0;
    while ((got = read(pipe_fds[0], buffer, sizeof(buffer))) > 0 || (got < 0 && errno == EINTR)) {
        if (got > 0) {
            result.failure.append(buffer, static_cast<size_t>(got));
        }
    }
    close(pipe_fds[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return result;
}

// Succeeds when the child exited with status 0 and reported no failure.
inline ::testing::AssertionResult child_succeeded(const ChildResult& result) {
    if (!result.exited) {
        return ::testing::AssertionFailure() << "child killed by signal " << result.signal;
    }
    if (!result.failure.empty() || result.exit_code != 0) {
        return ::testing::AssertionFailure()
               << "child exited with " << result.exit_code << ": " << result.failure;
    }
    return ::testing::AssertionSuccess();
}

}  // namespace ocirun::test_support
