// exec into running containers: namespaces, cgroup, exit status, flags, and its errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace ocirun::testing {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

std::string read_link(const std::string& path) {
    char buffer[256];
    ssize_t count = readlink(path.c_str(), buffer, sizeof(buffer));
    return count < 0 ? "" : std::string(buffer, static_cast<size_t>(count));
}

// /proc/PID/cmdline of `/bin/sleep 300`: each argument ends with a NUL.
const std::string kSleepCmdline(
    "/bin/sleep\0"
    "300\0",
    15);

// Runs a detached container whose init sleeps and returns init's host pid.
pid_t start_sleeping(const TestContainer& container) {
    CommandResult result = container.run({"--detach"});
    EXPECT_EQ(result.status, 0) << result.err;
    return container.state()["pid"].get<pid_t>();
}

CommandResult exec(const TestContainer& container, const std::vector<std::string>& flags,
                   const std::vector<std::string>& command) {
    std::vector<std::string> argv = {"exec"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(container.id());
    argv.insert(argv.end(), command.begin(), command.end());
    return container.ocirun(argv);
}

// Listens on a unix stream socket at `path` and returns the listening fd, or -1.
int listen_unix(const std::string& path) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd, 1) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Accepts one connection and returns the fd sent with its message, or -1.
int receive_console(int listener, std::string& payload) {
    int connection = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
        return -1;
    }
    char data[64];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec io{data, sizeof(data)};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    ssize_t count = recvmsg(connection, &message, MSG_CMSG_CLOEXEC);
    close(connection);
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    if (count <= 0 || header == nullptr || header->cmsg_type != SCM_RIGHTS) {
        return -1;
    }
    payload.assign(data, static_cast<size_t>(count));
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(header), sizeof(fd));
    return fd;
}

// Reads from `fd` until `expected` has arrived or two seconds have passed.
std::string read_until(int fd, const std::string& expected) {
    std::string text;
    for (int i = 0; i < 200 && text.find(expected) == std::string::npos; ++i) {
        pollfd ready{fd, POLLIN, 0};
        if (poll(&ready, 1, 10) == 1) {
            char buffer[256];
            ssize_t count = read(fd, buffer, sizeof(buffer));
            if (count <= 0) {
                break;
            }
            text.append(buffer, static_cast<size_t>(count));
        }
    }
    return text;
}

TEST(Exec, JoinsInitNamespaces) {
    TestContainer container({"/bin/sleep", "300"});
    pid_t init = start_sleeping(container);
    for (const char* name : {"pid", "net", "mnt", "ipc", "uts"}) {
        CommandResult result =
            exec(container, {}, {"/bin/readlink", std::string("/proc/self/ns/") + name});
        ASSERT_EQ(result.status, 0) << name << ": " << result.err;
        std::string expected = read_link("/proc/" + std::to_string(init) + "/ns/" + name);
        EXPECT_EQ(result.out, expected + "\n") << name;
        EXPECT_NE(expected, host_namespace(name)) << name;
    }
}

TEST(Exec, SeesContainerRootAndHostname) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    CommandResult result = exec(container, {}, {"/bin/hostname"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "ocirun-test\n");
    // The pid namespace is the container's, so init is pid 1 there.
    CommandResult comm = exec(container, {}, {"/bin/cat", "/proc/1/cmdline"});
    ASSERT_EQ(comm.status, 0) << comm.err;
    EXPECT_EQ(comm.out, kSleepCmdline);
}

TEST(Exec, RunsInContainerCgroup) {
    TestContainer container({"/bin/sleep", "300"});
    pid_t init = start_sleeping(container);
    std::string pid_file = container.bundle() + "/exec.pid";
    CommandResult result =
        exec(container, {"--detach", "--pid-file", pid_file}, {"/bin/sleep", "300"});
    ASSERT_EQ(result.status, 0) << result.err;
    std::string pid = read_file(pid_file);
    EXPECT_EQ(read_file("/proc/" + pid + "/cgroup"),
              read_file("/proc/" + std::to_string(init) + "/cgroup"));
}

TEST(Exec, ExitStatusPropagates) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    EXPECT_EQ(exec(container, {}, {"/bin/sh", "-c", "exit 3"}).status, 3);
    EXPECT_EQ(exec(container, {}, {"/bin/sh", "-c", "kill -9 $$"}).status, 128 + SIGKILL);
}

TEST(Exec, StdoutIsInherited) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    CommandResult result = exec(container, {}, {"/bin/echo", "hello from exec"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "hello from exec\n");
}

TEST(Exec, EnvCwdAndUserFlags) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    CommandResult result =
        exec(container,
             {"--env", "FOO=bar", "--env", "TERM=dumb", "--cwd", "/tmp", "--user", "1000:1001"},
             {"/bin/sh", "-c", "echo $FOO $TERM $(pwd) $(id -u):$(id -g)"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "bar dumb /tmp 1000:1001\n");
}

// Root without CAP_DAC_OVERRIDE cannot enter a mode 700 directory of uid 42, but the runtime
// enters the cwd before it drops capabilities, as runc does, so run and exec both start.
TEST(Exec, RootEntersCwdOfOtherUser) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["mounts"].push_back({{"destination", "/mnt"},
                                          {"type", "tmpfs"},
                                          {"source", "tmpfs"},
                                          {"options", {"uid=42", "mode=700"}}});
    container.config["process"]["cwd"] = "/mnt";
    start_sleeping(container);
    CommandResult result = exec(container, {"--user", "0"}, {"/bin/pwd"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "/mnt\n");
}

TEST(Exec, AdditionalGidsAreAppended) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["process"]["user"]["additionalGids"] = {5};
    start_sleeping(container);
    CommandResult result = exec(container, {"--user", "1000", "--additional-gids", "44"},
                                {"/bin/sh", "-c", "grep Groups /proc/self/status"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "Groups:\t5 44 \n");
}

TEST(Exec, CapAddsToEffectiveSet) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    std::string script = "grep CapEff /proc/self/status | cut -f2";
    CommandResult plain = exec(container, {}, {"/bin/sh", "-c", script});
    CommandResult added = exec(container, {"--cap", "CAP_SYS_ADMIN"}, {"/bin/sh", "-c", script});
    ASSERT_EQ(plain.status, 0) << plain.err;
    ASSERT_EQ(added.status, 0) << added.err;
    constexpr uint64_t kSysAdmin = uint64_t{1} << 21;  // CAP_SYS_ADMIN is capability 21
    EXPECT_EQ(std::stoull(plain.out, nullptr, 16) & kSysAdmin, 0u) << plain.out;
    EXPECT_NE(std::stoull(added.out, nullptr, 16) & kSysAdmin, 0u) << added.out;
}

TEST(Exec, ProcessFile) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    std::string process_file = container.bundle() + "/process.json";
    nlohmann::json process = container.config["process"];
    process["args"] = {"/bin/sh", "-c", "echo $GREETING; pwd"};
    process["env"] = {"PATH=/bin", "GREETING=hi"};
    process["cwd"] = "/proc";
    std::ofstream(process_file) << process.dump();
    CommandResult result = exec(container, {"--process", process_file}, {});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "hi\n/proc\n");
}

TEST(Exec, DetachWritesPidFile) {
    TestContainer container({"/bin/sleep", "300"});
    pid_t init = start_sleeping(container);
    std::string pid_file = container.bundle() + "/exec.pid";
    CommandResult result =
        exec(container, {"--detach", "--pid-file", pid_file}, {"/bin/sleep", "300"});
    ASSERT_EQ(result.status, 0) << result.err;
    std::string text = read_file(pid_file);
    ASSERT_FALSE(text.empty());
    for (char c : text) {
        EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c))) << text;
    }
    pid_t pid = static_cast<pid_t>(std::stol(text));
    EXPECT_TRUE(process_exists(pid));
    EXPECT_EQ(read_link("/proc/" + text + "/ns/pid"),
              read_link("/proc/" + std::to_string(init) + "/ns/pid"));
    EXPECT_EQ(read_file("/proc/" + text + "/cmdline"), kSleepCmdline);
}

TEST(Exec, PreserveFdsPassesFdThree) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    std::string data = container.bundle() + "/data";
    std::ofstream(data) << "preserved";
    std::vector<std::string> read_fd3 = {"exec", "--preserve-fds", "1", container.id(), "/bin/sh",
                                         "-c",   "cat <&3"};
    int fd = open(data.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    CommandResult passed = container.ocirun(read_fd3, {{3, fd}});
    read_fd3.erase(read_fd3.begin() + 1, read_fd3.begin() + 3);
    CommandResult closed = container.ocirun(read_fd3, {{3, fd}});
    close(fd);
    ASSERT_EQ(passed.status, 0) << passed.err;
    EXPECT_EQ(passed.out, "preserved");
    // Without --preserve-fds the inherited fd 3 is closed before execve.
    EXPECT_NE(closed.status, 0) << closed.out;
}

TEST(Exec, ForwardsSignals) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    std::string out = container.bundle() + "/out";
    // The shell waits until the exec'd process printed "up", then sends SIGTERM to the runtime.
    std::string script =
        runtime_binary() + " --root " + container.root() + " exec " + container.id() +
        " /bin/sh -c 'trap \"exit 42\" TERM; echo up; while true; do sleep 0.05; done' > " + out +
        " & pid=$!; for i in $(seq 100); do grep -q up " + out +
        " 2>/dev/null && break; sleep 0.05; done; kill -TERM $pid; wait $pid";
    CommandResult result = run_command({"/bin/sh", "-c", script});
    EXPECT_EQ(result.status, 42) << result.err;
}

TEST(Exec, ConsoleSocketReceivesMaster) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    std::string socket_path = container.bundle() + "/console.sock";
    int listener = listen_unix(socket_path);
    ASSERT_GE(listener, 0);
    CommandResult result = exec(container, {"--tty", "--detach", "--console-socket", socket_path},
                                {"/bin/sh", "-c", "tty; sleep 2"});
    std::string payload;
    int master = receive_console(listener, payload);
    close(listener);
    ASSERT_EQ(result.status, 0) << result.err;
    ASSERT_GE(master, 0);
    EXPECT_EQ(payload, "/dev/ptmx");
    // The pty comes from the container's own devpts instance.
    EXPECT_NE(read_until(master, "\n").find("/dev/pts/0"), std::string::npos);
    close(master);
}

TEST(Exec, MissingContainer) {
    TestContainer container({"/bin/true"});
    CommandResult result = exec(container, {}, {"/bin/true"});
    EXPECT_EQ(result.status, 255);
    // The text log quotes the message, so the quotes around the id come escaped.
    EXPECT_NE(result.err.find("does not exist"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(container.id()), std::string::npos) << result.err;
}

TEST(Exec, StoppedContainerIsNotRunning) {
    TestContainer container({"/bin/true"});
    ASSERT_EQ(container.run({"--keep"}).status, 0);
    CommandResult result = exec(container, {}, {"/bin/true"});
    EXPECT_EQ(result.status, 255);
    EXPECT_NE(result.err.find("container not running"), std::string::npos) << result.err;
}

TEST(Exec, MissingExecutable) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    CommandResult by_path = exec(container, {}, {"/no/such/program"});
    EXPECT_EQ(by_path.status, 255);
    EXPECT_NE(by_path.err.find("no such file or directory"), std::string::npos) << by_path.err;
    CommandResult by_name = exec(container, {}, {"no-such-program"});
    EXPECT_EQ(by_name.status, 255);
    EXPECT_NE(by_name.err.find("executable file not found in $PATH"), std::string::npos)
        << by_name.err;
}

TEST(Exec, NonExecutableIsPermissionDenied) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    CommandResult result = exec(container, {}, {"/etc/passwd"});
    EXPECT_EQ(result.status, 255);
    EXPECT_NE(result.err.find("permission denied"), std::string::npos) << result.err;
}

TEST(Exec, PausedNeedsIgnorePaused) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    ASSERT_EQ(container.ocirun({"pause", container.id()}).status, 0);
    CommandResult refused = exec(container, {}, {"/bin/true"});
    EXPECT_EQ(refused.status, 255);
    EXPECT_NE(refused.err.find("paused"), std::string::npos) << refused.err;
    std::string pid_file = container.bundle() + "/exec.pid";
    CommandResult allowed = exec(container, {"--ignore-paused", "--detach", "--pid-file", pid_file},
                                 {"/bin/sleep", "300"});
    ASSERT_EQ(allowed.status, 0) << allowed.err;
    // The process joins the frozen cgroup, so it is frozen until resume.
    std::string pid = read_file(pid_file);
    pid_t init = container.state()["pid"].get<pid_t>();
    EXPECT_EQ(read_file("/proc/" + pid + "/cgroup"),
              read_file("/proc/" + std::to_string(init) + "/cgroup"));
    EXPECT_EQ(container.ocirun({"resume", container.id()}).status, 0);
}

TEST(Exec, TtyWithDetachNeedsConsoleSocket) {
    TestContainer container({"/bin/sleep", "300"});
    start_sleeping(container);
    CommandResult result = exec(container, {"--tty", "--detach"}, {"/bin/true"});
    EXPECT_EQ(result.status, 255);
    EXPECT_NE(result.err.find("console socket"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace ocirun::testing
