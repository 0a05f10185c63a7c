// linux.resources applied to a scratch cgroup on this host's real hierarchies and read back;
// needs root, skipped otherwise.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"

namespace ocirun::cgroups {
namespace {

class HostResources : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0) {
            GTEST_SKIP() << "needs root";
        }
        child_ = fork();
        if (child_ == 0) {
            for (;;) {
                pause();
            }
        }
        CgroupRequest request;
        request.id = "ocirun-test-resources-" + std::to_string(getpid());
        request.cgroups_path = request.id;
        paths_ = create(request, child_).paths;
    }
    void TearDown() override {
        if (child_ <= 0) {
            return;
        }
        // When create failed in SetUp the child is in no cgroup, so destroy cannot kill it.
        ::kill(child_, SIGKILL);
        if (!paths_.empty()) {
            destroy(paths_);
        }
        waitpid(child_, nullptr, 0);
    }
    // Skips the test unless the v1 controller `key` is part of the cgroup.
    std::string v1_directory(const std::string& key) {
        auto it = paths_.find(key);
        return it == paths_.end() ? "" : it->second;
    }
    pid_t child_ = -1;
    CgroupPaths paths_;
};

#define REQUIRE_V1(directory, key)                                    \
    std::string directory = v1_directory(key);                        \
    if (directory.empty()) {                                          \
        GTEST_SKIP() << "no cgroup v1 " << key << " controller here"; \
    }

TEST_F(HostResources, Memory) {
    REQUIRE_V1(memory, "memory");
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 64 << 20;
    resources.memory->swap = 128 << 20;
    resources.memory->reservation = 32 << 20;
    resources.memory->swappiness = 20;
    resources.memory->disable_oom_killer = true;
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(memory, "memory.limit_in_bytes"), std::to_string(64 << 20));
    if (path_exists(join_path(memory, "memory.memsw.limit_in_bytes"))) {
        EXPECT_EQ(read_control(memory, "memory.memsw.limit_in_bytes"), std::to_string(128 << 20));
    }
    EXPECT_EQ(read_control(memory, "memory.soft_limit_in_bytes"), std::to_string(32 << 20));
    EXPECT_EQ(read_control(memory, "memory.swappiness"), "20");
    EXPECT_NE(read_control(memory, "memory.oom_control").find("oom_kill_disable 1"),
              std::string::npos);

    // Lowering both limits needs the memory limit written before memory+swap.
    resources.memory->limit = 16 << 20;
    resources.memory->swap = 32 << 20;
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(memory, "memory.limit_in_bytes"), std::to_string(16 << 20));
}

TEST_F(HostResources, CpuAndCpuset) {
    REQUIRE_V1(cpu, "cpu");
    REQUIRE_V1(cpuset, "cpuset");
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->shares = 512;
    resources.cpu->quota = 20000;
    resources.cpu->period = 50000;
    resources.cpu->cpus = "0";
    resources.cpu->mems = "0";
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(cpu, "cpu.shares"), "512");
    EXPECT_EQ(read_control(cpu, "cpu.cfs_quota_us"), "20000");
    EXPECT_EQ(read_control(cpu, "cpu.cfs_period_us"), "50000");
    EXPECT_EQ(read_control(cpuset, "cpuset.cpus"), "0");
    EXPECT_EQ(read_control(cpuset, "cpuset.mems"), "0");
}

TEST_F(HostResources, CpuSharesOutOfRange) {
    REQUIRE_V1(cpu, "cpu");
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->shares = 1;  // the kernel raises it to 2 silently
    try {
        apply_resources(paths_, resources);
        FAIL() << "cpu.shares 1 accepted";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("minimum is 2"), std::string::npos)
            << error.what();
    }
}

TEST_F(HostResources, CpuRealtime) {
    REQUIRE_V1(cpu, "cpu");
    if (!path_exists(join_path(cpu, "cpu.rt_runtime_us"))) {
        GTEST_SKIP() << "kernel without CONFIG_RT_GROUP_SCHED";
    }
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->realtime_period = 1000000;
    resources.cpu->realtime_runtime = 10000;
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(cpu, "cpu.rt_period_us"), "1000000");
    EXPECT_EQ(read_control(cpu, "cpu.rt_runtime_us"), "10000");
}

TEST_F(HostResources, PidsLimit) {
    REQUIRE_V1(pids, "pids");
    spec::Resources resources;
    resources.pids = spec::PidsResources{50};
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(pids, "pids.max"), "50");
}

// Returns "major:minor" of the first block device in /sys/block, or "" when none.
std::string first_block_device() {
    DIR* dir = opendir("/sys/block");
    if (dir == nullptr) {
        return "";
    }
    std::string number;
    while (struct dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name[0] != '.' && path_exists("/sys/block/" + name + "/dev")) {
            number = read_control("/sys/block/" + name, "dev");
            break;
        }
    }
    closedir(dir);
    return number;
}

TEST_F(HostResources, BlkioThrottle) {
    REQUIRE_V1(blkio, "blkio");
    std::string device = first_block_device();
    if (device.empty()) {
        GTEST_SKIP() << "no block device";
    }
    size_t colon = device.find(':');
    spec::Resources resources;
    resources.block_io.emplace();
    spec::ThrottleDevice limit{std::stoll(device.substr(0, colon)),
                               std::stoll(device.substr(colon + 1)), 1048576};
    resources.block_io->throttle_read_bps_device = {limit};
    limit.rate = 200;
    resources.block_io->throttle_write_iops_device = {limit};
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(blkio, "blkio.throttle.read_bps_device"), device + " 1048576");
    EXPECT_EQ(read_control(blkio, "blkio.throttle.write_iops_device"), device + " 200");
}

TEST_F(HostResources, Hugetlb) {
    std::string file;
    std::string directory;
    if (paths_.count("hugetlb") != 0) {
        directory = paths_.at("hugetlb");
        file = "hugetlb.2MB.limit_in_bytes";
    } else if (paths_.count("") != 0) {
        directory = paths_.at("");
        file = "hugetlb.2MB.max";
    }
    if (directory.empty() || !path_exists(join_path(directory, file))) {
        GTEST_SKIP() << "no hugetlb controller with 2MB pages";
    }
    spec::Resources resources;
    resources.hugepage_limits = {{"2MB", 8 << 20}};
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(directory, file), std::to_string(8 << 20));
}

// On a pure v2 host, such as the VM of tests/vm/run-cgroup-tests.sh, where the cgroup was made
// below the parent of the test's own cgroup.
TEST_F(HostResources, UnifiedLimits) {
    std::string directory = paths_.count("") != 0 ? paths_.at("") : "";
    if (directory.empty() || !path_exists(join_path(directory, "memory.max")) ||
        !path_exists(join_path(directory, "pids.max")) ||
        !path_exists(join_path(directory, "cpu.max"))) {
        GTEST_SKIP() << "no cgroup v2 memory, pids and cpu controllers here";
    }
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 64 << 20;
    resources.memory->reservation = 16 << 20;
    resources.pids.emplace();
    resources.pids->limit = 30;
    resources.cpu.emplace();
    resources.cpu->shares = 2048;
    resources.cpu->quota = 20000;
    resources.cpu->period = 50000;
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(directory, "memory.max"), std::to_string(64 << 20));
    EXPECT_EQ(read_control(directory, "memory.low"), std::to_string(16 << 20));
    EXPECT_EQ(read_control(directory, "pids.max"), "30");
    EXPECT_EQ(read_control(directory, "cpu.weight"), "79");
    EXPECT_EQ(read_control(directory, "cpu.max"), "20000 50000");
}

TEST_F(HostResources, DevicesAllowList) {
    REQUIRE_V1(devices, "devices");
    spec::Resources resources;
    resources.devices = {{false, "a", std::nullopt, std::nullopt, "rwm"},
                         {true, "c", 1, 3, "rwm"},
                         {true, "c", 1, 5, "rw"},
                         {true, "c", 136, std::nullopt, "rwm"}};
    apply_resources(paths_, resources);
    EXPECT_EQ(read_control(devices, "devices.list"), "c 1:3 rwm\nc 1:5 rw\nc 136:* rwm");
}

}  // namespace
}  // namespace ocirun::cgroups
