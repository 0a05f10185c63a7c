// Tests for relay_until_exit with ptys, a memfd for output and forked processes.
#include "terminal/relay.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "terminal/pty.h"

namespace ocirun::terminal {
namespace {

// Blocks the signals the tests send, so one that arrives before the loop starts stays pending
// instead of killing the test, as relay.h documents for callers.
class BlockedSignals {
  public:
    BlockedSignals() {
        sigset_t set = forwarded_signals();
        ::sigaddset(&set, SIGWINCH);
        ::sigprocmask(SIG_BLOCK, &set, &saved_);
    }
    ~BlockedSignals() { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

  private:
    sigset_t saved_{};
};

struct Child {
    pid_t pid = -1;
    UniqueFd pidfd;

    // Reaps the child and returns its exit code, or 128+signal.
    int wait() {
        int status = 0;
        EXPECT_EQ(::waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
};

Child start_child(const std::function<int()>& body) {
    Child child;
    child.pid = ::fork();
    if (child.pid == 0) {
        // A container process starts with an empty signal mask, not with the test's blocked set.
        sigset_t empty{};
        ::sigemptyset(&empty);
        ::sigprocmask(SIG_SETMASK, &empty, nullptr);
        int status = 100;
        try {
            status = body();
        } catch (...) {
        }
        ::_exit(status);
    }
    child.pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0)));
    EXPECT_TRUE(child.pidfd.valid());
    return child;
}

UniqueFd make_memfd() {
    return UniqueFd(::memfd_create("relay-output", MFD_CLOEXEC));
}

std::string contents_of(int fd) {
    std::string text;
    char buffer[4096];
    ssize_t size = 0;
    off_t offset = 0;
    while ((size = ::pread(fd, buffer, sizeof(buffer), offset)) > 0) {
        text.append(buffer, static_cast<size_t>(size));
        offset += size;
    }
    return text;
}

// Polls the window size of `fd` for up to five seconds until it is `expected`.
bool wait_for_window_size(int fd, WindowSize expected) {
    for (int attempt = 0; attempt < 500; ++attempt) {
        WindowSize size = window_size(fd);
        if (size.rows == expected.rows && size.columns == expected.columns) {
            return true;
        }
        ::usleep(10 * 1000);
    }
    return false;
}

bool same_mask(const sigset_t& first, const sigset_t& second) {
    for (int number = 1; number < NSIG; ++number) {
        if (::sigismember(&first, number) != ::sigismember(&second, number)) {
            return false;
        }
    }
    return true;
}

TEST(Relay, CopiesBothWaysAndPassesWindowSize) {
    BlockedSignals blocked;
    Pty caller = open_pty();
    Pty container = open_pty();
    UniqueFd output = make_memfd();
    set_window_size(caller.master.get(), WindowSize{10, 20});
    ASSERT_EQ(::write(caller.master.get(), "hello\n", 6), 6);

    Child child = start_child([&] {
        char line[64] = {};
        ssize_t size = ::read(container.peer.get(), line, sizeof(line) - 1);
        if (size <= 0 || std::string(line) != "hello\n") {
            return 2;
        }
        if (!wait_for_window_size(container.peer.get(), WindowSize{10, 20})) {
            return 3;
        }
        set_window_size(caller.master.get(), WindowSize{50, 120});
        ::kill(::getppid(), SIGWINCH);
        ::kill(::getppid(), SIGUSR1);
        if (!wait_for_window_size(container.peer.get(), WindowSize{50, 120})) {
            return 4;
        }
        std::string reply = "got hello size 50x120\n";
        ::write(container.peer.get(), reply.data(), reply.size());
        return 0;
    });
    container.peer.reset();

    std::vector<int> forwarded;
    relay_until_exit(
        container.master.get(), child.pidfd.get(), [&](int number) { forwarded.push_back(number); },
        RelayFds{caller.peer.get(), output.get()});
    std::string text = contents_of(output.get());

    EXPECT_EQ(child.wait(), 0);
    EXPECT_NE(text.find("hello"), std::string::npos) << text;
    EXPECT_NE(text.find("got hello size 50x120"), std::string::npos) << text;
    EXPECT_EQ(forwarded, std::vector<int>{SIGUSR1});
}

TEST(Relay, DrainsOutputWrittenBeforeExit) {
    Pty container = open_pty();
    UniqueFd output = make_memfd();
    UniqueFd input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const std::string block(100 * 1024, 'x');

    Child child = start_child([&] {
        size_t done = 0;
        while (done < block.size()) {
            ssize_t size = ::write(container.peer.get(), block.data() + done, block.size() - done);
            if (size <= 0) {
                return 2;
            }
            done += static_cast<size_t>(size);
        }
        ::write(container.peer.get(), "END", 3);
        return 0;
    });
    container.peer.reset();

    relay_until_exit(
        container.master.get(), child.pidfd.get(), [](int) {}, RelayFds{input.get(), output.get()});
    std::string text = contents_of(output.get());

    EXPECT_EQ(child.wait(), 0);
    EXPECT_EQ(text.size(), block.size() + 3);
    EXPECT_EQ(text.substr(text.size() - 3), "END");
}

TEST(Relay, WithoutMasterForwardsSignalsOnly) {
    BlockedSignals blocked;

    Child child = start_child([] {
        ::kill(::getppid(), SIGUSR2);
        ::kill(::getppid(), SIGTERM);
        // Waits for the parent to forward SIGTERM back, as a container process would be killed.
        ::pause();
        return 2;
    });

    std::vector<int> forwarded;
    relay_until_exit(-1, child.pidfd.get(), [&](int number) {
        forwarded.push_back(number);
        if (number == SIGTERM) {
            ::kill(child.pid, SIGTERM);
        }
    });

    EXPECT_EQ(child.wait(), 128 + SIGTERM);
    EXPECT_EQ(forwarded, (std::vector<int>{SIGUSR2, SIGTERM}));
}

TEST(Relay, RestoresSignalMask) {
    sigset_t before{};
    ASSERT_EQ(::sigprocmask(SIG_SETMASK, nullptr, &before), 0);
    Child child = start_child([] { return 0; });

    relay_until_exit(-1, child.pidfd.get(), [](int) {});
    sigset_t after{};
    ASSERT_EQ(::sigprocmask(SIG_SETMASK, nullptr, &after), 0);

    EXPECT_EQ(child.wait(), 0);
    EXPECT_TRUE(same_mask(before, after));
}

TEST(Relay, ForwardedSignalsExcludeHandledOnes) {
    sigset_t set = forwarded_signals();

    EXPECT_EQ(::sigismember(&set, SIGWINCH), 0);
    EXPECT_EQ(::sigismember(&set, SIGCHLD), 0);
    EXPECT_EQ(::sigismember(&set, SIGPIPE), 0);
    EXPECT_EQ(::sigismember(&set, SIGTERM), 1);
    EXPECT_EQ(::sigismember(&set, SIGINT), 1);
    EXPECT_EQ(::sigismember(&set, SIGRTMIN), 1);
}

}  // namespace
}  // namespace ocirun::terminal
