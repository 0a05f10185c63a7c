#include "process/exit_status.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ocirun::process {
namespace {

// Returns the real wait status of a child that runs `body`.
template <typename Body>
int wait_status_of(Body body) {
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

TEST(ExitStatus, ExitCodeIsKept) {
    EXPECT_EQ(exit_status_from_wait(wait_status_of([] { _exit(0); })), 0);
    EXPECT_EQ(exit_status_from_wait(wait_status_of([] { _exit(3); })), 3);
    EXPECT_EQ(exit_status_from_wait(wait_status_of([] { _exit(255); })), 255);
}

TEST(ExitStatus, SignalAddsOneHundredTwentyEight) {
    EXPECT_EQ(exit_status_from_wait(wait_status_of([] { raise(SIGKILL); })), 128 + SIGKILL);
    EXPECT_EQ(exit_status_from_wait(wait_status_of([] { raise(SIGTERM); })), 128 + SIGTERM);
}

}  // namespace
}  // namespace ocirun::process
