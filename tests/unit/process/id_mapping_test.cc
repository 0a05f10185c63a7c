#include "process/id_mapping.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/error.h"

namespace ocirun::process {
namespace {

constexpr uid_t kNobody = 65534;

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

// Forks a process that makes a user namespace and waits until killed; returns its pid.
pid_t fork_user_namespace_holder() {
    pid_t pid = fork();
    if (pid == 0) {
        if (unshare(CLONE_NEWUSER) != 0) {
            _exit(1);
        }
        for (;;) {
            pause();
        }
    }
    return pid;
}

void stop(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
}

// Runs `body` in a child with uid and gid `kNobody` and returns what it wrote to the pipe:
// "ok" or the error message.
std::string run_as_nobody(void (*body)(int result_fd)) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) {
            _exit(2);
        }
        // setuid made the process non-dumpable, which gives its /proc files to root; a runtime
        // started by exec as the user is dumpable.
        prctl(PR_SET_DUMPABLE, 1);
        body(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    std::string output;
    char buffer[1024];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) {
        output.append(buffer, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0) << status;
    return output;
}

void send(int fd, const std::string& text) {
    EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

TEST(IdMapping, RootWritesEverythingDirectly) {
    EXPECT_EQ(choose_id_map_writer({{0, 100000, 65536}, {65536, 1000, 1}}, 0, 0),
              IdMapWriter::direct);
}

TEST(IdMapping, OwnIdAloneIsDirect) {
    EXPECT_EQ(choose_id_map_writer({{0, 1000, 1}}, 1000, 1000), IdMapWriter::direct);
    EXPECT_EQ(choose_id_map_writer({{5, 1000, 1}}, 1000, 1000), IdMapWriter::direct);
}

TEST(IdMapping, OtherMapsNeedHelper) {
    EXPECT_EQ(choose_id_map_writer({{0, 1001, 1}}, 1000, 1000), IdMapWriter::helper);
    EXPECT_EQ(choose_id_map_writer({{0, 1000, 2}}, 1000, 1000), IdMapWriter::helper);
    EXPECT_EQ(choose_id_map_writer({{0, 1000, 1}, {1, 100000, 65536}}, 1000, 1000),
              IdMapWriter::helper);
}

TEST(IdMapping, HelperCommandListsTriples) {
    std::vector<std::string> command =
        id_map_helper_command("/usr/bin/newuidmap", 42, {{0, 1000, 1}, {1, 100000, 65536}});
    std::vector<std::string> expected = {
        "/usr/bin/newuidmap", "42", "0", "1000", "1", "1", "100000", "65536"};
    EXPECT_EQ(command, expected);
}

TEST(IdMapping, RootWritesMultipleRanges) {
    pid_t holder = fork_user_namespace_holder();
    ASSERT_GT(holder, 0);
    usleep(100000);
    std::string proc = "/proc/" + std::to_string(holder) + "/";
    EXPECT_NO_THROW(
        write_container_id_maps(holder, {{0, 200000, 10}, {10, 300000, 5}}, {{0, 200000, 10}}));
    EXPECT_NE(read_file(proc + "uid_map").find("200000"), std::string::npos);
    EXPECT_NE(read_file(proc + "uid_map").find("300000"), std::string::npos);
    EXPECT_EQ(read_file(proc + "setgroups"), "allow\n");
    stop(holder);
}

TEST(IdMapping, UnprivilegedOwnIdDeniesSetgroups) {
    std::string result = run_as_nobody([](int result_fd) {
        pid_t holder = fork_user_namespace_holder();
        usleep(100000);
        std::string proc = "/proc/" + std::to_string(holder) + "/";
        try {
            write_container_id_maps(holder, {{0, kNobody, 1}}, {{0, kNobody, 1}});
            send(result_fd, read_file(proc + "setgroups") + read_file(proc + "gid_map"));
        } catch (const Error& error) {
            send(result_fd, error.what());
        }
        stop(holder);
    });
    EXPECT_EQ(result.substr(0, 5), "deny\n") << result;
    EXPECT_NE(result.find("65534"), std::string::npos) << result;
}

TEST(IdMapping, HelperFailureNamesMapping) {
    // The user `nobody` has no /etc/subuid range, so newuidmap rejects the range.
    std::string result = run_as_nobody([](int result_fd) {
        pid_t holder = fork_user_namespace_holder();
        usleep(100000);
        try {
            write_container_id_maps(holder, {{0, kNobody, 1}, {1, 400000, 10}}, {});
            send(result_fd, "ok");
        } catch (const Error& error) {
            send(result_fd, error.what());
        }
        stop(holder);
    });
    EXPECT_NE(result.find("uid mappings [0 65534 1,1 400000 10]"), std::string::npos) << result;
    EXPECT_NE(result.find("newuidmap"), std::string::npos) << result;
}

}  // namespace
}  // namespace ocirun::process
