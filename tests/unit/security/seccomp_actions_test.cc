// Tests of the seccomp actions that seccomp_test.cc does not reach (KILL_THREAD against
// KILL_PROCESS, TRACE, LOG) and of SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, which libseccomp
// 2.5.4 cannot set and load_compiled_seccomp passes to seccomp(2) itself.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "child_process.h"
#include "security/seccomp.h"
#include "terminal/fd_passing.h"

namespace ocirun::security {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

spec::Seccomp allow_except(const std::string& name, const std::string& action,
                           std::vector<std::string> flags = {}) {
    spec::Syscall rule;
    rule.names = {name};
    rule.action = action;
    spec::Seccomp seccomp;
    seccomp.default_action = "SCMP_ACT_ALLOW";
    seccomp.syscalls = {rule};
    seccomp.flags = std::move(flags);
    return seccomp;
}

void* call_getppid(void*) {
    syscall(SYS_getppid);
    return nullptr;
}

// Runs getppid in a second thread and waits for that thread to end.
std::string getppid_in_thread() {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, call_getppid, nullptr) != 0) {
        return "pthread_create failed";
    }
    pthread_join(thread, nullptr);
    return "";
}

TEST(SeccompActions, KillThreadKillsOnlyTheThread) {
    auto seccomp = allow_except("getppid", "SCMP_ACT_KILL_THREAD");
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        return getppid_in_thread();
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(SeccompActions, KillProcessKillsEveryThread) {
    auto seccomp = allow_except("getppid", "SCMP_ACT_KILL_PROCESS");
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        getppid_in_thread();
        return std::string("the process survived");
    });
    EXPECT_FALSE(result.exited) << result.failure;
    EXPECT_EQ(result.signal, SIGSYS);
}

// Without a tracer attached, the kernel fails a SECCOMP_RET_TRACE syscall with ENOSYS.
TEST(SeccompActions, TraceWithoutTracerIsEnosys) {
    auto seccomp = allow_except("getppid", "SCMP_ACT_TRACE");
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        errno = 0;
        long value = syscall(SYS_getppid);
        if (value != -1 || errno != ENOSYS) {
            return "getppid returned " + std::to_string(value) + " with errno " +
                   std::to_string(errno) + ", expected ENOSYS";
        }
        return std::string();
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(SeccompActions, LogAllowsTheSyscall) {
    auto seccomp = allow_except("getppid", "SCMP_ACT_LOG", {"SECCOMP_FILTER_FLAG_LOG"});
    const pid_t parent = getpid();
    auto result = run_in_child([&] {
        load_seccomp(seccomp);
        long value = syscall(SYS_getppid);
        return value == parent ? std::string() : "getppid returned " + std::to_string(value);
    });
    EXPECT_TRUE(child_succeeded(result));
}

// The value the supervisor gives as getppid's result.
constexpr long kSupervisorValue = 4242;

// Where the target reports that its SIGUSR1 handler ran.
int g_handler_pipe = -1;

void on_sigusr1(int) {
    (void)!write(g_handler_pipe, "h", 1);
}

// The target of a notification: loads `seccomp`, sends the notify fd over `socket`, and calls
// getppid, which the filter hands to the supervisor. Exits 0 when getppid returns
// kSupervisorValue.
[[noreturn]] void run_target(const spec::Seccomp& seccomp, int socket, int handler_pipe) {
    g_handler_pipe = handler_pipe;
    struct sigaction action {};
    action.sa_handler = on_sigusr1;
    // An interrupted notified syscall then restarts with a new notification, not EINTR.
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &action, nullptr);
    try {
        int notify_fd = load_seccomp(seccomp);
        terminal::send_fd(socket, notify_fd, "");
        close(notify_fd);
    } catch (...) {
        _exit(2);
    }
    _exit(syscall(SYS_getppid) == kSupervisorValue ? 0 : 3);
}

// Returns true when `fd` becomes readable within `timeout_ms`.
bool readable(int fd, int timeout_ms) {
    pollfd entry{fd, POLLIN, 0};
    return poll(&entry, 1, timeout_ms) == 1;
}

// The behaviour of a notified syscall that gets SIGUSR1 after the supervisor received it.
struct SignalOutcome {
    std::string failure;
    bool handler_ran_before_response = false;
    bool response_accepted = false;
    int target_status = -1;
};

// Forks a target with `seccomp` (NOTIFY on getppid), receives its notification, sends it
// SIGUSR1, waits 300 ms, then responds with kSupervisorValue.
SignalOutcome signal_during_notification(const spec::Seccomp& seccomp) {
    SignalOutcome outcome;
    int sockets[2];
    int handler[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0 ||
        pipe2(handler, O_CLOEXEC) != 0) {
        outcome.failure = "socketpair or pipe2 failed";
        return outcome;
    }
    pid_t target = fork();
    if (target == 0) {
        run_target(seccomp, sockets[1], handler[1]);
    }
    terminal::ReceivedFd notify = terminal::receive_fd(sockets[0]);
    seccomp_notif request;
    std::memset(&request, 0, sizeof(request));
    if (!readable(notify.fd.get(), 5000) ||
        ioctl(notify.fd.get(), SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
        outcome.failure = "no notification arrived";
        kill(target, SIGKILL);
        waitpid(target, nullptr, 0);
        return outcome;
    }
    kill(target, SIGUSR1);
    outcome.handler_ran_before_response = readable(handler[0], 300);

    seccomp_notif_resp response;
    std::memset(&response, 0, sizeof(response));
    response.id = request.id;
    response.val = kSupervisorValue;
    outcome.response_accepted = ioctl(notify.fd.get(), SECCOMP_IOCTL_NOTIF_SEND, &response) == 0;
    if (!outcome.response_accepted) {
        // The interrupted syscall restarts with a new notification, so respond to that one.
        std::memset(&request, 0, sizeof(request));
        if (readable(notify.fd.get(), 5000) &&
            ioctl(notify.fd.get(), SECCOMP_IOCTL_NOTIF_RECV, &request) == 0) {
            response.id = request.id;
            ioctl(notify.fd.get(), SECCOMP_IOCTL_NOTIF_SEND, &response);
        }
    }
    int status = 0;
    waitpid(target, &status, 0);
    outcome.target_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    close(sockets[0]);
    close(sockets[1]);
    close(handler[0]);
    close(handler[1]);
    return outcome;
}

// With WAIT_KILLABLE_RECV, a received notification waits through a non-fatal signal, so the
// supervisor's response reaches the syscall. Without it, the signal interrupts the syscall
// first, and that half shows that the test distinguishes the two.
TEST(SeccompActions, WaitKillableRecvDefersSignals) {
    auto killable =
        allow_except("getppid", "SCMP_ACT_NOTIFY", {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"});
    ASSERT_NE(compile_seccomp(killable).flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, 0u);
    SignalOutcome with_flag = signal_during_notification(killable);
    ASSERT_EQ(with_flag.failure, "");
    EXPECT_FALSE(with_flag.handler_ran_before_response);
    EXPECT_TRUE(with_flag.response_accepted);
    EXPECT_EQ(with_flag.target_status, 0);

    SignalOutcome without_flag =
        signal_during_notification(allow_except("getppid", "SCMP_ACT_NOTIFY"));
    ASSERT_EQ(without_flag.failure, "");
    EXPECT_TRUE(without_flag.handler_ran_before_response);
    EXPECT_FALSE(without_flag.response_accepted);
    EXPECT_EQ(without_flag.target_status, 0);
}

}  // namespace
}  // namespace ocirun::security
