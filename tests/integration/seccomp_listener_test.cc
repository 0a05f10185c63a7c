// linux.seccomp.listenerPath: the notify fd and ContainerProcessState sent to a seccomp agent,
// and the agent's response to a notified syscall.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "harness.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::testing {
namespace {

// The errno the agent gives to the container's mkdir.
constexpr int kAgentErrno = EXDEV;

terminal::UniqueFd listen_unix(const std::string& path) {
    terminal::UniqueFd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (!socket.valid() ||
        bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(socket.get(), 1) != 0) {
        return terminal::UniqueFd();
    }
    return socket;
}

// Responds to the first notification on `notify_fd` with kAgentErrno. Returns false on a failure
// or when no notification arrives within five seconds.
bool respond_to_one_notification(int notify_fd) {
    pollfd entry{notify_fd, POLLIN, 0};
    if (poll(&entry, 1, 5000) != 1) {
        return false;
    }
    seccomp_notif request;
    std::memset(&request, 0, sizeof(request));
    if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
        return false;
    }
    seccomp_notif_resp response;
    std::memset(&response, 0, sizeof(response));
    response.id = request.id;
    response.error = -kAgentErrno;
    return ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &response) == 0;
}

// The agent: accepts the runtime's connection, writes the JSON it received to `state_path`,
// responds to one notification, and exits 0 on success.
[[noreturn]] void run_agent(int listener, const std::string& state_path) {
    pollfd entry{listener, POLLIN, 0};
    if (poll(&entry, 1, 10000) != 1) {
        _exit(2);
    }
    int connection = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) {
        _exit(3);
    }
    try {
        terminal::ReceivedFd received = terminal::receive_fd(connection);
        std::ofstream(state_path) << received.payload;
        _exit(respond_to_one_notification(received.fd.get()) ? 0 : 4);
    } catch (...) {
        _exit(5);
    }
}

// Makes mkdir and mkdirat of the container notify the agent listening at `socket_path`.
void notify_mkdir(TestContainer& container, const std::string& socket_path,
                  const std::string& metadata) {
    container.config["linux"]["seccomp"] = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"listenerPath", socket_path},
        {"listenerMetadata", metadata},
        {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
}

TEST(SeccompListener, AgentRespondsToNotifiedSyscall) {
    TestContainer container({"/bin/sh", "-c", "mkdir /tmp/made-by-agent; echo status=$?"});
    std::string socket_path = container.bundle() + "/agent.sock";
    notify_mkdir(container, socket_path, "test-metadata");
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);
    std::string state_path = container.bundle() + "/agent-state.json";
    pid_t agent = fork();
    ASSERT_GE(agent, 0);
    if (agent == 0) {
        run_agent(listener.get(), state_path);
    }

    CommandResult result = container.run();
    int agent_status = 0;
    ASSERT_EQ(waitpid(agent, &agent_status, 0), agent);
    ASSERT_EQ(result.status, 0) << result.err;
    ASSERT_TRUE(WIFEXITED(agent_status)) << agent_status;
    EXPECT_EQ(WEXITSTATUS(agent_status), 0);
    // Without the agent's response, mkdir on the container's tmpfs would succeed.
    EXPECT_EQ(result.out, "status=1\n") << result.err;

    std::ifstream file(state_path);
    std::stringstream text;
    text << file.rdbuf();
    nlohmann::json state = nlohmann::json::parse(text.str(), nullptr, false);
    ASSERT_FALSE(state.is_discarded()) << text.str();
    EXPECT_EQ(state.value("fds", nlohmann::json()), nlohmann::json({"seccompFd"}));
    EXPECT_EQ(state.value("metadata", ""), "test-metadata");
    EXPECT_TRUE(state.contains("ociVersion"));
    EXPECT_GT(state.value("pid", 0), 0);
    ASSERT_TRUE(state.contains("state"));
    EXPECT_EQ(state["state"].value("id", ""), container.id());
    EXPECT_EQ(state["state"].value("status", ""), "creating");
    EXPECT_EQ(state["state"].value("bundle", ""), container.bundle());
}

// The agent for a create and an exec: takes init's notify fd from the first connection and
// keeps it, then writes the JSON of the second connection (the exec'd process's) to
// `state_path` and responds to one notification on that fd. Exits 0 on success.
[[noreturn]] void run_exec_agent(int listener, const std::string& state_path) {
    std::vector<terminal::ReceivedFd> received;
    for (int connection_number = 0; connection_number < 2; ++connection_number) {
        pollfd entry{listener, POLLIN, 0};
        if (poll(&entry, 1, 10000) != 1) {
            _exit(2);
        }
        terminal::UniqueFd connection(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
        if (!connection.valid()) {
            _exit(3);
        }
        try {
            received.push_back(terminal::receive_fd(connection.get()));
        } catch (...) {
            _exit(5);
        }
    }
    std::ofstream(state_path) << received[1].payload;
    _exit(respond_to_one_notification(received[1].fd.get()) ? 0 : 4);
}

TEST(SeccompListener, AgentRespondsToExecProcess) {
    TestContainer container({"/bin/sleep", "300"});
    std::string socket_path = container.bundle() + "/agent.sock";
    notify_mkdir(container, socket_path, "exec-metadata");
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);
    std::string state_path = container.bundle() + "/agent-state.json";
    pid_t agent = fork();
    ASSERT_GE(agent, 0);
    if (agent == 0) {
        run_exec_agent(listener.get(), state_path);
    }

    CommandResult started = container.run({"--detach"});
    CommandResult result = container.ocirun(
        {"exec", container.id(), "/bin/sh", "-c", "mkdir /tmp/made-by-agent; echo status=$?"});
    int agent_status = 0;
    ASSERT_EQ(waitpid(agent, &agent_status, 0), agent);
    ASSERT_EQ(started.status, 0) << started.err;
    ASSERT_EQ(result.status, 0) << result.err;
    ASSERT_TRUE(WIFEXITED(agent_status)) << agent_status;
    EXPECT_EQ(WEXITSTATUS(agent_status), 0);
    // Without the agent's response, mkdir on the container's tmpfs would succeed.
    EXPECT_NE(result.out.find("status=1\n"), std::string::npos) << result.out << result.err;

    std::ifstream file(state_path);
    std::stringstream text;
    text << file.rdbuf();
    nlohmann::json state = nlohmann::json::parse(text.str(), nullptr, false);
    ASSERT_FALSE(state.is_discarded()) << text.str();
    EXPECT_EQ(state.value("fds", nlohmann::json()), nlohmann::json({"seccompFd"}));
    EXPECT_EQ(state.value("metadata", ""), "exec-metadata");
    ASSERT_TRUE(state.contains("state"));
    EXPECT_EQ(state["state"].value("status", ""), "running");
    int init_pid = container.state().value("pid", 0);
    EXPECT_EQ(state["state"].value("pid", 0), init_pid);
    // The process that loaded the filter is the exec'd one, not init.
    EXPECT_GT(state.value("pid", 0), 0);
    EXPECT_NE(state.value("pid", 0), init_pid);
}

TEST(SeccompListener, NotifyWithoutListenerIsRejected) {
    TestContainer container({"/bin/true"});
    container.config["linux"]["seccomp"] = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("listenerPath"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

}  // namespace
}  // namespace ocirun::testing
