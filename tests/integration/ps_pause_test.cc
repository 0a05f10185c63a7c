// ps, pause and resume on real containers: the pids listed, and processes stopping and going on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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

// The container's init writes a counter to /tmp/tick every 20 ms.
constexpr const char* kTicker =
    "i=0; while true; do i=$((i+1)); echo $i > /tmp/tick; "
    "sleep 0.02; done";

pid_t start_detached(const TestContainer& container) {
    CommandResult result = container.run({"--detach"});
    EXPECT_EQ(result.status, 0) << result.err;
    return container.state()["pid"].get<pid_t>();
}

std::string tick(pid_t init) {
    return read_file("/proc/" + std::to_string(init) + "/root/tmp/tick");
}

// Returns true when the counter changes within a second.
bool ticking(pid_t init) {
    std::string before = tick(init);
    for (int i = 0; i < 100; ++i) {
        usleep(10000);
        if (tick(init) != before) {
            return true;
        }
    }
    return false;
}

TEST(Ps, JsonListsInitAndExec) {
    TestContainer container({"/bin/sleep", "300"});
    pid_t init = start_detached(container);
    std::string pid_file = container.bundle() + "/exec.pid";
    CommandResult exec = container.ocirun(
        {"exec", "--detach", "--pid-file", pid_file, container.id(), "/bin/sleep", "300"});
    ASSERT_EQ(exec.status, 0) << exec.err;
    pid_t exec_pid = static_cast<pid_t>(std::stol(read_file(pid_file)));

    CommandResult ps = container.ocirun({"ps", "--format", "json", container.id()});
    ASSERT_EQ(ps.status, 0) << ps.err;
    std::vector<pid_t> pids = nlohmann::json::parse(ps.out).get<std::vector<pid_t>>();
    EXPECT_EQ(pids.size(), 2u) << ps.out;
    EXPECT_NE(std::find(pids.begin(), pids.end(), init), pids.end()) << ps.out;
    EXPECT_NE(std::find(pids.begin(), pids.end(), exec_pid), pids.end()) << ps.out;
}

TEST(Ps, TableKeepsContainerLines) {
    TestContainer container({"/bin/sleep", "300"});
    pid_t init = start_detached(container);
    CommandResult ps = container.ocirun({"ps", container.id()});
    ASSERT_EQ(ps.status, 0) << ps.err;
    std::istringstream lines(ps.out);
    std::string header;
    std::getline(lines, header);
    EXPECT_NE(header.find("PID"), std::string::npos) << ps.out;
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        ++count;
        EXPECT_NE(line.find(" " + std::to_string(init) + " "), std::string::npos) << line;
    }
    EXPECT_EQ(count, 1) << ps.out;
}

TEST(Ps, MissingContainer) {
    TestContainer container({"/bin/true"});
    CommandResult ps = container.ocirun({"ps", "--format", "json", container.id()});
    EXPECT_NE(ps.status, 0);
    EXPECT_NE(ps.err.find("does not exist"), std::string::npos) << ps.err;
}

TEST(Pause, StopsAndResumeRestarts) {
    TestContainer container({"/bin/sh", "-c", kTicker});
    pid_t init = start_detached(container);
    ASSERT_TRUE(ticking(init));

    CommandResult paused = container.ocirun({"pause", container.id()});
    ASSERT_EQ(paused.status, 0) << paused.err;
    EXPECT_EQ(container.status(), "paused");
    EXPECT_FALSE(ticking(init));

    CommandResult resumed = container.ocirun({"resume", container.id()});
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_EQ(container.status(), "running");
    EXPECT_TRUE(ticking(init));
}

TEST(Pause, FreezerStateIsFrozen) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    ASSERT_EQ(container.ocirun({"pause", container.id()}).status, 0);
    // The v1 freezer where it is mounted (v1 and hybrid hosts), else cgroup v2's cgroup.freeze.
    std::string freezer_dir;
    std::string unified_dir;
    for (const std::string& dir : container.cgroup_dirs()) {
        if (dir.find("/freezer/") != std::string::npos) {
            freezer_dir = dir;
        } else if (path_exists(dir + "/cgroup.freeze")) {
            unified_dir = dir;
        }
    }
    if (!freezer_dir.empty()) {
        EXPECT_EQ(read_file(freezer_dir + "/freezer.state"), "FROZEN\n") << freezer_dir;
    } else {
        ASSERT_FALSE(unified_dir.empty()) << "no freezer cgroup and no cgroup.freeze";
        EXPECT_EQ(read_file(unified_dir + "/cgroup.freeze"), "1\n") << unified_dir;
        EXPECT_NE(read_file(unified_dir + "/cgroup.events").find("frozen 1"), std::string::npos)
            << unified_dir;
    }
    EXPECT_EQ(container.ocirun({"resume", container.id()}).status, 0);
}

TEST(Pause, StoppedContainerIsNotRunning) {
    TestContainer container({"/bin/true"});
    ASSERT_EQ(container.run({"--keep"}).status, 0);
    CommandResult result = container.ocirun({"pause", container.id()});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("container not running"), std::string::npos) << result.err;
}

TEST(Resume, RunningContainerIsNotPaused) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    CommandResult result = container.ocirun({"resume", container.id()});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("container not paused"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace ocirun::testing
