// update and events on real containers: new limits that stop allocations and forks, docker's
// JSON on stdin, stats records, streaming with an interval, and OOM records.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness.h"

namespace ocirun::testing {
namespace {

std::string cgroup_dir(const TestContainer& container, const std::string& controller) {
    return container.cgroup_dir(controller);
}

bool memory_on_v1() {
    return path_exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");
}

// Returns the file holding the memory limit: memory.limit_in_bytes on v1, memory.max on v2.
std::string memory_limit_file(const TestContainer& container) {
    if (memory_on_v1()) {
        return cgroup_dir(container, "memory") + "/memory.limit_in_bytes";
    }
    return cgroup_dir(container, "") + "/memory.max";
}

std::string pids_max_file(const TestContainer& container) {
    std::string v1 = cgroup_dir(container, "pids");
    return (v1.empty() ? cgroup_dir(container, "") : v1) + "/pids.max";
}

bool host_has_swap() {
    std::ifstream swaps("/proc/swaps");
    std::string header, device;
    std::getline(swaps, header);
    return static_cast<bool>(swaps >> device);
}

// Skips the test when a process past the memory limit would swap instead of being OOM-killed:
// swap is on and the memory+swap limit cannot be set.
bool oom_kill_possible() {
    return !host_has_swap() || !memory_on_v1() ||
           path_exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
}

void start_detached(const TestContainer& container) {
    CommandResult result = container.run({"--detach"});
    ASSERT_EQ(result.status, 0) << result.err;
}

// Returns the records printed by `events`, one JSON object a line.
std::vector<nlohmann::json> parse_records(const std::string& out) {
    std::vector<nlohmann::json> records;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        records.push_back(nlohmann::json::parse(line));
    }
    return records;
}

// A LinuxResources document as docker sends it on stdin to `update -r -`, where 0 means unset.
constexpr const char* kDockerUpdate =
    R"({"memory":{"limit":67108864,"reservation":0,"swap":134217728,"kernel":0},)"
    R"("cpu":{"shares":512,"quota":50000,"period":100000},"pids":{"limit":100},)"
    R"("blockIO":{"weight":0}})";

// Runs `update -r - ID` with `document` on stdin, as docker does.
CommandResult update_from_stdin(const TestContainer& container, const std::string& document) {
    std::string path = container.bundle() + "/update.json";
    std::ofstream(path) << document;
    return run_command({"/bin/sh", "-c", "exec \"$0\" --root \"$1\" update -r - \"$2\" < \"$3\"",
                        runtime_binary(), container.root(), container.id(), path});
}

void wait_until_stopped(const TestContainer& container) {
    for (int i = 0; i < 200 && container.status() != "stopped"; ++i) {
        usleep(10000);
    }
}

TEST(Update, MemoryLimitStopsAllocation) {
    if (!oom_kill_possible()) {
        GTEST_SKIP() << "swap is on without memory+swap accounting, so nothing is OOM-killed";
    }
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    std::vector<std::string> update = {"update", "--memory", "64m"};
    if (host_has_swap()) {
        update.insert(update.end(), {"--memory-swap", "64m"});
    }
    update.push_back(container.id());
    CommandResult result = container.ocirun(update);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(read_trimmed(memory_limit_file(container)), "67108864");

    CommandResult small = container.ocirun(
        {"exec", container.id(), "dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=1"});
    EXPECT_EQ(small.status, 0) << small.err;
    CommandResult large = container.ocirun(
        {"exec", container.id(), "dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1"});
    EXPECT_EQ(large.status, 128 + SIGKILL) << large.err;
    EXPECT_EQ(container.status(), "running");
}

TEST(Update, PidsLimitStopsFork) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    CommandResult result = container.ocirun({"update", "--pids-limit", "3", container.id()});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(read_trimmed(pids_max_file(container)), "3");

    // init, the shell and one sleep fit in 3; the second sleep does not.
    CommandResult one = container.ocirun({"exec", container.id(), "sh", "-c", "sleep 0 & wait"});
    EXPECT_EQ(one.status, 0) << one.err;
    CommandResult two =
        container.ocirun({"exec", container.id(), "sh", "-c", "sleep 1 & sleep 1 & wait"});
    EXPECT_NE(two.status, 0);
    EXPECT_NE(two.err.find("fork"), std::string::npos) << two.err;
}

TEST(Update, DockerJsonFromStdin) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    CommandResult result = update_from_stdin(container, kDockerUpdate);
    ASSERT_EQ(result.status, 0) << result.err;

    EXPECT_EQ(read_trimmed(memory_limit_file(container)), "67108864");
    EXPECT_EQ(read_trimmed(pids_max_file(container)), "100");
    std::string cpu = cgroup_dir(container, "cpu");
    if (!cpu.empty()) {
        EXPECT_EQ(read_trimmed(cpu + "/cpu.shares"), "512");
        EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_quota_us"), "50000");
        EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_period_us"), "100000");
    }
    std::string memsw = cgroup_dir(container, "memory") + "/memory.memsw.limit_in_bytes";
    if (memory_on_v1() && path_exists(memsw)) {
        EXPECT_EQ(read_trimmed(memsw), "134217728");
    }
}

// The container mounts its own cgroups, as runc's default config does, and reads its limits.
TEST(Update, NewLimitsSeenInside) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["namespaces"].push_back({{"type", "cgroup"}});
    container.config["mounts"].push_back({{"destination", "/sys"},
                                          {"type", "sysfs"},
                                          {"source", "sysfs"},
                                          {"options", {"nosuid", "noexec", "nodev", "ro"}}});
    container.config["mounts"].push_back({{"destination", "/sys/fs/cgroup"},
                                          {"type", "cgroup"},
                                          {"source", "cgroup"},
                                          {"options", {"nosuid", "noexec", "nodev", "ro"}}});
    container.config["linux"]["resources"]["pids"] = {{"limit", 40}};
    container.config["linux"]["resources"]["memory"] = {{"limit", 96 << 20}};
    start_detached(container);
    bool v1 = memory_on_v1();
    std::string memory =
        v1 ? "/sys/fs/cgroup/memory/memory.limit_in_bytes" : "/sys/fs/cgroup/memory.max";
    std::string pids = cgroup_dir(container, "pids").empty() ? "/sys/fs/cgroup/pids.max"
                                                             : "/sys/fs/cgroup/pids/pids.max";
    auto read_inside = [&](const std::string& path) {
        CommandResult result = container.ocirun({"exec", container.id(), "cat", path});
        EXPECT_EQ(result.status, 0) << result.err;
        return result.out;
    };
    EXPECT_EQ(read_inside(memory), std::to_string(96 << 20) + "\n");
    EXPECT_EQ(read_inside(pids), "40\n");

    CommandResult update =
        container.ocirun({"update", "--memory", "48m", "--pids-limit", "25", container.id()});
    ASSERT_EQ(update.status, 0) << update.err;
    EXPECT_EQ(read_inside(memory), std::to_string(48 << 20) + "\n");
    EXPECT_EQ(read_inside(pids), "25\n");
}

// docker's update JSON sends reservation, kernel and blockIO.weight as 0, meaning unset. So the
// reservation from create stays, nothing warns about kernel memory, and no weight file is needed.
TEST(Update, DockerZerosKeepEarlierValues) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["memory"] = {{"limit", 96 << 20},
                                                        {"reservation", 32 << 20}};
    start_detached(container);
    CommandResult result = update_from_stdin(container, kDockerUpdate);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_EQ(read_trimmed(memory_limit_file(container)), "67108864");
    if (memory_on_v1()) {
        std::string memory = cgroup_dir(container, "memory");
        EXPECT_EQ(read_trimmed(memory + "/memory.soft_limit_in_bytes"), std::to_string(32 << 20));
    } else {
        EXPECT_EQ(read_trimmed(cgroup_dir(container, "") + "/memory.low"),
                  std::to_string(32 << 20));
    }
}

TEST(Update, RuncFlagsWriteV1Files) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    std::string cpu = cgroup_dir(container, "cpu");
    std::string cpuset = cgroup_dir(container, "cpuset");
    std::string memory = cgroup_dir(container, "memory");
    if (cpu.empty() || cpuset.empty() || !memory_on_v1()) {
        GTEST_SKIP() << "needs the cgroup v1 cpu, cpuset and memory controllers";
    }
    CommandResult result =
        container.ocirun({"update", "--cpu-share", "256", "--cpu-period", "100000", "--cpu-quota",
                          "30000", "--cpuset-cpus", "0", "--cpuset-mems", "0",
                          "--memory-reservation", "16m", container.id()});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(read_trimmed(cpu + "/cpu.shares"), "256");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_period_us"), "100000");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_quota_us"), "30000");
    EXPECT_EQ(read_trimmed(cpuset + "/cpuset.cpus"), "0");
    EXPECT_EQ(read_trimmed(cpuset + "/cpuset.mems"), "0");
    EXPECT_EQ(read_trimmed(memory + "/memory.soft_limit_in_bytes"), std::to_string(16 << 20));
}

TEST(Update, BlkioWeightFlag) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    std::string blkio = cgroup_dir(container, "blkio");
    if (blkio.empty()) {
        GTEST_SKIP() << "no cgroup v1 blkio controller here";
    }
    std::string file = path_exists(blkio + "/blkio.weight") ? "/blkio.weight" : "/blkio.bfq.weight";
    CommandResult result = container.ocirun({"update", "--blkio-weight", "300", container.id()});
    if (!path_exists(blkio + file)) {
        EXPECT_NE(result.status, 0);
        EXPECT_NE(result.err.find("blkio weight cannot be set"), std::string::npos) << result.err;
        return;
    }
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(read_trimmed(blkio + file), "300");
}

TEST(Update, KernelMemoryOfCreateNotWarnedAgain) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["memory"] = {{"limit", 96 << 20}, {"kernel", 16 << 20}};
    CommandResult created = container.run({"--detach"});
    ASSERT_EQ(created.status, 0) << created.err;
    EXPECT_NE(created.err.find("memory.kernel"), std::string::npos) << created.err;
    CommandResult result = container.ocirun({"update", "--pids-limit", "50", container.id()});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_EQ(read_trimmed(pids_max_file(container)), "50");
}

TEST(Update, LaterFlagsKeepEarlierValues) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    CommandResult memory = container.ocirun({"update", "--memory", "96m", container.id()});
    ASSERT_EQ(memory.status, 0) << memory.err;
    CommandResult pids = container.ocirun({"update", "--pids-limit", "50", container.id()});
    ASSERT_EQ(pids.status, 0) << pids.err;
    EXPECT_EQ(read_trimmed(memory_limit_file(container)), std::to_string(96 << 20));
    EXPECT_EQ(read_trimmed(pids_max_file(container)), "50");
}

// The kernel rejects a memory limit above memory+swap and the reverse, so growing both must
// write swap first and shrinking both must write memory first.
TEST(Update, MemoryAndSwapInEitherDirection) {
    if (!memory_on_v1() || !path_exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")) {
        GTEST_SKIP() << "needs cgroup v1 memory+swap accounting (memory.memsw.limit_in_bytes)";
    }
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["memory"] = {{"limit", 100 << 20}, {"swap", 200 << 20}};
    start_detached(container);
    std::string memsw = cgroup_dir(container, "memory") + "/memory.memsw.limit_in_bytes";

    CommandResult grow =
        container.ocirun({"update", "--memory", "300m", "--memory-swap", "400m", container.id()});
    ASSERT_EQ(grow.status, 0) << grow.err;
    EXPECT_EQ(read_trimmed(memory_limit_file(container)), std::to_string(300 << 20));
    EXPECT_EQ(read_trimmed(memsw), std::to_string(400 << 20));

    CommandResult shrink =
        container.ocirun({"update", "--memory", "50m", "--memory-swap", "60m", container.id()});
    ASSERT_EQ(shrink.status, 0) << shrink.err;
    EXPECT_EQ(read_trimmed(memory_limit_file(container)), std::to_string(50 << 20));
    EXPECT_EQ(read_trimmed(memsw), std::to_string(60 << 20));
}

TEST(Update, StoppedContainerFails) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    ASSERT_EQ(container.ocirun({"kill", container.id(), "KILL"}).status, 0);
    wait_until_stopped(container);
    ASSERT_EQ(container.status(), "stopped");
    CommandResult result = container.ocirun({"update", "--memory", "64m", container.id()});
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("container not running"), std::string::npos) << result.err;
}

TEST(Update, CheckBeforeUpdateV2) {
    if (memory_on_v1()) {
        GTEST_SKIP() << "memory.checkBeforeUpdate applies to cgroup v2, and this host has the "
                        "memory controller on v1";
    }
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    std::string document = container.bundle() + "/update.json";
    std::ofstream(document) << R"({"memory":{"limit":1024,"checkBeforeUpdate":true}})";
    CommandResult result = container.ocirun({"update", "-r", document, container.id()});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("rejecting memory limit 1024"), std::string::npos) << result.err;
    EXPECT_EQ(container.status(), "running");
}

TEST(Events, StatsRecord) {
    TestContainer container({"/bin/sleep", "300"});
    start_detached(container);
    CommandResult result = container.ocirun({"events", "--stats", container.id()});
    ASSERT_EQ(result.status, 0) << result.err;
    std::vector<nlohmann::json> records = parse_records(result.out);
    ASSERT_EQ(records.size(), 1u) << result.out;
    const nlohmann::json& record = records[0];
    EXPECT_EQ(record["type"], "stats");
    EXPECT_EQ(record["id"], container.id());
    const nlohmann::json& data = record["data"];
    EXPECT_GT(data["cpu"]["usage"]["total"].get<uint64_t>(), 0u);
    EXPECT_GT(data["memory"]["usage"]["usage"].get<uint64_t>(), 0u);
    EXPECT_TRUE(data["memory"]["usage"].contains("limit"));
    EXPECT_GE(data["pids"]["current"].get<uint64_t>(), 1u);
    EXPECT_TRUE(data["blkio"].is_object());
    EXPECT_TRUE(data["hugetlb"].is_object());
}

TEST(Events, IntervalStreamsUntilStop) {
    TestContainer container({"/bin/sleep", "2.5"});
    start_detached(container);
    CommandResult result = container.ocirun({"events", "--interval", "1s", container.id()});
    EXPECT_EQ(result.status, 0) << result.err;
    std::vector<nlohmann::json> records = parse_records(result.out);
    ASSERT_GE(records.size(), 2u) << result.out;
    for (const nlohmann::json& record : records) {
        EXPECT_EQ(record["type"], "stats");
        EXPECT_EQ(record["id"], container.id());
    }
}

TEST(Events, OomRecord) {
    if (!oom_kill_possible()) {
        GTEST_SKIP() << "swap is on without memory+swap accounting, so nothing is OOM-killed";
    }
    // init waits for events to start, then allocates past its limit and exits after the kill.
    TestContainer container(
        {"/bin/sh", "-c", "sleep 1; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 0.5"});
    container.config["linux"]["resources"]["memory"] = {{"limit", 32 << 20}};
    if (host_has_swap()) {
        container.config["linux"]["resources"]["memory"]["swap"] = 32 << 20;
    }
    start_detached(container);
    CommandResult result = container.ocirun({"events", "--interval", "10s", container.id()});
    EXPECT_EQ(result.status, 0) << result.err;
    std::vector<nlohmann::json> records = parse_records(result.out);
    ASSERT_FALSE(records.empty()) << result.out;
    EXPECT_EQ(records[0]["type"], "oom") << result.out;
    EXPECT_EQ(records[0]["id"], container.id());
    EXPECT_FALSE(records[0].contains("data"));
}

TEST(Events, StoppedContainerFails) {
    TestContainer container({"/bin/true"});
    start_detached(container);
    wait_until_stopped(container);
    CommandResult result = container.ocirun({"events", "--stats", container.id()});
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("is not running"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace ocirun::testing
