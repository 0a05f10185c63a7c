// create, start, run, kill and delete as managers drive them, and what each leaves behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

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

// Waits up to two seconds for the container to reach `status`.
bool wait_for_status(const TestContainer& container, const std::string& status) {
    for (int i = 0; i < 200; ++i) {
        if (container.status() == status) {
            return true;
        }
        usleep(10000);
    }
    return false;
}

TEST(Run, ExitStatusPropagates) {
    TestContainer container({"/bin/sh", "-c", "exit 7"});
    CommandResult result = container.run();
    EXPECT_EQ(result.status, 7) << result.err;
}

TEST(Run, SignalDeathIsOneTwentyEightPlus) {
    TestContainer container({"/bin/sh", "-c", "kill -9 $$"});
    // Without its own pid namespace, because init of one ignores SIGKILL from inside it.
    container.config["linux"]["namespaces"].erase(0);
    CommandResult result = container.run();
    EXPECT_EQ(result.status, 128 + SIGKILL) << result.err;
}

TEST(Run, ForwardsSignalsToInit) {
    TestContainer container(
        {"/bin/sh", "-c", "trap 'exit 42' TERM; echo up; while true; do sleep 0.05; done"});
    container.write_config();
    // The shell waits until the container printed "up", then sends SIGTERM to the runtime.
    std::string script = runtime_binary() + " --root " + container.root() + " run --bundle " +
                         container.bundle() + " " + container.id() + " > " + container.bundle() +
                         "/out & pid=$!; "
                         "for i in $(seq 100); do grep -q up " +
                         container.bundle() +
                         "/out 2>/dev/null && break; sleep 0.05; done; "
                         "kill -TERM $pid; wait $pid";
    CommandResult result = run_command({"/bin/sh", "-c", script});
    EXPECT_EQ(result.status, 42) << result.err;
}

TEST(Run, StdoutIsInherited) {
    TestContainer container({"/bin/echo", "hello from box"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "hello from box\n");
}

TEST(Run, DeletesContainerAfterExit) {
    TestContainer container({"/bin/true"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(Run, KeepLeavesStoppedContainer) {
    TestContainer container({"/bin/true"});
    CommandResult result = container.run({"--keep"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(container.status(), "stopped");
    std::vector<std::string> cgroups = container.cgroup_dirs();
    EXPECT_EQ(container.ocirun({"delete", container.id()}).status, 0);
    EXPECT_FALSE(path_exists(container.state_dir()));
    for (const auto& dir : cgroups) {
        EXPECT_FALSE(path_exists(dir)) << dir;
    }
}

TEST(Run, DetachReturnsWhileRunning) {
    TestContainer container({"/bin/sleep", "30"});
    CommandResult result = container.run({"--detach"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(container.status(), "running");
    EXPECT_EQ(container.ocirun({"kill", container.id(), "9"}).status, 0);
    EXPECT_TRUE(wait_for_status(container, "stopped"));
}

TEST(Create, StateTransitions) {
    TestContainer container({"/bin/sleep", "30"});
    std::string pid_file = container.bundle() + "/init.pid";
    CommandResult created = container.create({"--pid-file", pid_file});
    ASSERT_EQ(created.status, 0) << created.err;

    nlohmann::json state = container.state();
    EXPECT_EQ(state["status"], "created");
    pid_t pid = state["pid"].get<pid_t>();
    EXPECT_TRUE(process_exists(pid));
    // The pid file is the decimal pid with no newline, as containerd parses it.
    EXPECT_EQ(read_file(pid_file), std::to_string(pid));

    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    EXPECT_EQ(container.status(), "running");
    EXPECT_NE(container.ocirun({"start", container.id()}).status, 0);

    ASSERT_EQ(container.ocirun({"kill", container.id(), "KILL"}).status, 0);
    EXPECT_TRUE(wait_for_status(container, "stopped"));
    EXPECT_EQ(container.state()["pid"], 0);
}

TEST(Create, StartedProgramReplacesInit) {
    TestContainer container({"/bin/sleep", "30"});
    ASSERT_EQ(container.create().status, 0);
    ASSERT_EQ(container.ocirun({"start", container.id()}).status, 0);
    pid_t pid = container.state()["pid"].get<pid_t>();
    std::string cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    std::string expected = std::string("/bin/sleep") + '\0' + "30" + '\0';
    EXPECT_EQ(cmdline, expected);
}

TEST(Create, MissingExecutableFailsAndLeavesNothing) {
    TestContainer container({"/bin/no-such-program"});
    container.config["linux"]["cgroupsPath"] = "/ocirun-test/" + container.id();
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("no such file or directory"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
    EXPECT_FALSE(path_exists("/sys/fs/cgroup/pids/ocirun-test/" + container.id()));
    EXPECT_FALSE(path_exists("/sys/fs/cgroup/freezer/ocirun-test/" + container.id()));
}

TEST(Create, NonExecutableIsPermissionDenied) {
    TestContainer container({"/etc/passwd"});
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("permission denied"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(Create, DuplicateIdFails) {
    TestContainer container({"/bin/true"});
    ASSERT_EQ(container.create().status, 0);
    CommandResult again = container.create();
    EXPECT_NE(again.status, 0);
    EXPECT_EQ(container.status(), "created");
}

TEST(Create, TerminalIsRejected) {
    TestContainer container({"/bin/true"});
    container.config["process"]["terminal"] = true;
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(Kill, StoppedContainerIsNotRunning) {
    TestContainer container({"/bin/true"});
    ASSERT_EQ(container.run({"--keep"}).status, 0);
    CommandResult result = container.ocirun({"kill", container.id(), "15"});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("container not running"), std::string::npos) << result.err;
}

TEST(Kill, AllSignalsEveryProcess) {
    TestContainer container({"/bin/sh", "-c", "sleep 30 & sleep 30 & wait"});
    ASSERT_EQ(container.run({"--detach"}).status, 0);
    CommandResult result = container.ocirun({"kill", "--all", container.id(), "9"});
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(wait_for_status(container, "stopped"));
}

TEST(Kill, CreatedContainerCanBeKilled) {
    TestContainer container({"/bin/sleep", "30"});
    ASSERT_EQ(container.create().status, 0);
    EXPECT_EQ(container.ocirun({"kill", container.id(), "9"}).status, 0);
    EXPECT_TRUE(wait_for_status(container, "stopped"));
}

TEST(Delete, RunningNeedsForce) {
    TestContainer container({"/bin/sleep", "30"});
    ASSERT_EQ(container.run({"--detach"}).status, 0);
    pid_t pid = container.state()["pid"].get<pid_t>();
    std::vector<std::string> cgroups = container.cgroup_dirs();

    EXPECT_NE(container.ocirun({"delete", container.id()}).status, 0);
    EXPECT_EQ(container.status(), "running");

    EXPECT_EQ(container.ocirun({"delete", "--force", container.id()}).status, 0);
    EXPECT_FALSE(path_exists(container.state_dir()));
    EXPECT_FALSE(process_exists(pid));
    for (const auto& dir : cgroups) {
        EXPECT_FALSE(path_exists(dir)) << dir;
    }
}

TEST(Delete, CreatedIsKilledAndRemoved) {
    TestContainer container({"/bin/sleep", "30"});
    ASSERT_EQ(container.create().status, 0);
    pid_t pid = container.state()["pid"].get<pid_t>();
    EXPECT_EQ(container.ocirun({"delete", container.id()}).status, 0);
    EXPECT_FALSE(process_exists(pid));
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(Delete, UnknownIdNeedsForceToSucceed) {
    TestContainer container({"/bin/true"});
    EXPECT_NE(container.ocirun({"delete", "no-such-id"}).status, 0);
    CommandResult forced = container.ocirun({"delete", "--force", "no-such-id"});
    EXPECT_EQ(forced.status, 0) << forced.err;
}

TEST(Hooks, PrestartReadsStateAndPoststopRuns) {
    TestContainer container({"/bin/true"});
    std::string prestart = container.bundle() + "/prestart.json";
    std::string poststop = container.bundle() + "/poststop.json";
    container.config["hooks"] = {
        {"prestart", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + prestart}}}}},
        {"poststop", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + poststop}}}}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    nlohmann::json before = nlohmann::json::parse(read_file(prestart));
    EXPECT_EQ(before["id"], container.id());
    EXPECT_GT(before["pid"].get<int>(), 0);
    nlohmann::json after = nlohmann::json::parse(read_file(poststop));
    EXPECT_EQ(after["id"], container.id());
    EXPECT_EQ(after["status"], "stopped");
}

TEST(Hooks, FailingPrestartFailsCreate) {
    TestContainer container({"/bin/true"});
    container.config["hooks"] = {{"prestart", {{{"path", "/bin/false"}}}}};
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(Hooks, FailingPoststartFailsStart) {
    TestContainer container({"/bin/sleep", "30"});
    container.config["hooks"] = {{"poststart", {{{"path", "/bin/false"}}}}};
    ASSERT_EQ(container.create().status, 0);
    CommandResult result = container.ocirun({"start", container.id()});
    EXPECT_NE(result.status, 0);
    EXPECT_TRUE(wait_for_status(container, "stopped"));
}

TEST(Hooks, FailingStartContainerFailsStart) {
    TestContainer container({"/bin/sleep", "30"});
    container.config["hooks"] = {
        {"startContainer", {{{"path", "/bin/sh"}, {"args", {"sh", "-c", "echo nope; exit 4"}}}}}};
    ASSERT_EQ(container.create().status, 0);
    CommandResult result = container.ocirun({"start", container.id()});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("startContainer"), std::string::npos) << result.err;
    EXPECT_TRUE(wait_for_status(container, "stopped"));
}

}  // namespace
}  // namespace ocirun::testing
