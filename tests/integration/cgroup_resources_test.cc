// linux.resources on this host's cgroups through the ocirun binary. Each field is read back
// from the container's cgroup files. A field that the kernel or layout cannot honour fails
// create and leaves no cgroup behind. A cgroup that ocirun did not make is joined and kept.
// Each test skips when the host lacks what it reads, naming what is missing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace ocirun::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Returns the container's cgroup directory of v1 `controller`, or "" (and the caller skips)
// when the controller is not mounted as v1 here.
std::string v1_dir(const TestContainer& container, const std::string& controller) {
    if (!path_exists("/sys/fs/cgroup/" + controller + "/cgroup.procs")) {
        return "";
    }
    return container.cgroup_dir(controller);
}

#define REQUIRE_V1(directory, container, controller)                         \
    std::string directory = v1_dir(container, controller);                   \
    if (directory.empty()) {                                                 \
        GTEST_SKIP() << "no cgroup v1 " << controller << " controller here"; \
    }

bool controller_enabled(const std::string& name) {
    std::ifstream cgroups("/proc/cgroups");
    std::string line;
    while (std::getline(cgroups, line)) {
        std::istringstream fields(line);
        std::string subsystem;
        int hierarchy = 0;
        int count = 0;
        int enabled = 0;
        if (fields >> subsystem >> hierarchy >> count >> enabled && subsystem == name) {
            return enabled == 1;
        }
    }
    return false;
}

// Returns whether a cgroup v1 hierarchy with `controller` is mounted in this mount namespace.
bool v1_mounted(const std::string& controller) {
    std::ifstream mounts("/proc/self/mounts");
    std::string source, target, type, options;
    while (mounts >> source >> target >> type >> options) {
        std::string rest;
        std::getline(mounts, rest);
        if (type == "cgroup" && contains("," + options + ",", "," + controller + ",")) {
            return true;
        }
    }
    return false;
}

// Returns the directories named `relative` in every cgroup hierarchy mounted below
// /sys/fs/cgroup that exist now.
std::vector<std::string> existing_cgroups(const std::string& relative) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator("/sys/fs/cgroup")) {
        std::string directory = entry.path().string() + relative;
        if (path_exists(directory)) {
            found.push_back(directory);
        }
    }
    return found;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) {
        text += part + " ";
    }
    return text;
}

// Returns "major:minor" of the first block device in /sys/block, or "" when there is none.
std::string first_block_device() {
    for (const auto& entry : std::filesystem::directory_iterator("/sys/block")) {
        std::string number = read_trimmed(entry.path().string() + "/dev");
        if (!number.empty()) {
            return number;
        }
    }
    return "";
}

void start_detached(const TestContainer& container) {
    CommandResult result = container.run({"--detach"});
    ASSERT_EQ(result.status, 0) << result.err;
}

// Creates the container with `resources` and checks that create fails with a message that
// contains `expected`, leaving no state and no cgroup directory behind.
void expect_create_fails(TestContainer& container, const nlohmann::json& resources,
                         const std::string& expected) {
    container.config["linux"]["resources"] = resources;
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0) << resources.dump();
    EXPECT_TRUE(contains(result.err, expected)) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
    std::vector<std::string> left = existing_cgroups("/ocirun-test/" + container.id());
    EXPECT_TRUE(left.empty()) << joined(left);
}

TEST(ResourcesV1, MemoryFiles) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["memory"] = {
        {"limit", 64 << 20},        {"reservation", 32 << 20},
        {"swap", 128 << 20},        {"swappiness", 30},
        {"disableOOMKiller", true}, {"useHierarchy", true},
        {"kernelTCP", 8 << 20},     {"kernel", 0}};
    start_detached(container);
    REQUIRE_V1(memory, container, "memory");
    EXPECT_EQ(read_trimmed(memory + "/memory.limit_in_bytes"), std::to_string(64 << 20));
    EXPECT_EQ(read_trimmed(memory + "/memory.soft_limit_in_bytes"), std::to_string(32 << 20));
    if (path_exists(memory + "/memory.memsw.limit_in_bytes")) {
        EXPECT_EQ(read_trimmed(memory + "/memory.memsw.limit_in_bytes"), std::to_string(128 << 20));
    }
    EXPECT_EQ(read_trimmed(memory + "/memory.swappiness"), "30");
    EXPECT_TRUE(contains(read_trimmed(memory + "/memory.oom_control"), "oom_kill_disable 1"));
    EXPECT_EQ(read_trimmed(memory + "/memory.use_hierarchy"), "1");
    EXPECT_EQ(read_trimmed(memory + "/memory.kmem.tcp.limit_in_bytes"), std::to_string(8 << 20));
}

// The resources of a config that docker wrote, with 32 MiB of memory and 64 MiB of memory+swap.
// Its zero values mean unset, so they write nothing and need no blkio weight file.
TEST(ResourcesV1, DockerZerosStayUnset) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"] = nlohmann::json::parse(
        R"({"memory": {"limit": 33554432, "swap": 67108864, "disableOOMKiller": false},)"
        R"( "cpu": {"shares": 0}, "blockIO": {"weight": 0}})");
    CommandResult result = container.run({"--detach"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    REQUIRE_V1(memory, container, "memory");
    REQUIRE_V1(cpu, container, "cpu");
    EXPECT_EQ(read_trimmed(memory + "/memory.limit_in_bytes"), "33554432");
    if (path_exists(memory + "/memory.memsw.limit_in_bytes")) {
        EXPECT_EQ(read_trimmed(memory + "/memory.memsw.limit_in_bytes"), "67108864");
    }
    EXPECT_TRUE(contains(read_trimmed(memory + "/memory.oom_control"), "oom_kill_disable 0"));
    EXPECT_EQ(read_trimmed(cpu + "/cpu.shares"), "1024");
}

TEST(ResourcesV1, KernelMemoryWarnsAndIsIgnored) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["memory"] = {{"limit", 64 << 20}, {"kernel", 16 << 20}};
    CommandResult result = container.run({"--detach"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(contains(result.err, "memory.kernel")) << result.err;
    EXPECT_TRUE(contains(result.err, "ignored")) << result.err;
    REQUIRE_V1(memory, container, "memory");
    EXPECT_EQ(read_trimmed(memory + "/memory.limit_in_bytes"), std::to_string(64 << 20));
    if (path_exists(memory + "/memory.kmem.limit_in_bytes")) {
        EXPECT_NE(read_trimmed(memory + "/memory.kmem.limit_in_bytes"), std::to_string(16 << 20));
    }
}

TEST(ResourcesV1, UseHierarchyFalseRejected) {
    if (!path_exists("/sys/fs/cgroup/memory/memory.use_hierarchy")) {
        GTEST_SKIP() << "no cgroup v1 memory controller here";
    }
    // NOTE: kernels that still have the non-hierarchical mode accept 0, and this test fails there.
    TestContainer container({"/bin/sleep", "300"});
    expect_create_fails(container, {{"memory", {{"useHierarchy", false}}}},
                        "memory.useHierarchy false is not supported");
}

TEST(ResourcesV1, CpuAndCpusetFiles) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["cpu"] = {{"shares", 512},   {"quota", 20000},
                                                     {"period", 50000}, {"burst", 1000},
                                                     {"cpus", "0"},     {"mems", "0"}};
    start_detached(container);
    REQUIRE_V1(cpu, container, "cpu");
    REQUIRE_V1(cpuset, container, "cpuset");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.shares"), "512");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_quota_us"), "20000");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_period_us"), "50000");
    if (path_exists(cpu + "/cpu.cfs_burst_us")) {
        EXPECT_EQ(read_trimmed(cpu + "/cpu.cfs_burst_us"), "1000");
    }
    EXPECT_EQ(read_trimmed(cpuset + "/cpuset.cpus"), "0");
    EXPECT_EQ(read_trimmed(cpuset + "/cpuset.mems"), "0");
}

TEST(ResourcesV1, CpuIdle) {
    if (!path_exists("/sys/fs/cgroup/cpu/cpu.idle")) {
        GTEST_SKIP() << "no cpu.idle in the cgroup v1 cpu controller here (Linux 5.15 or later)";
    }
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["cpu"] = {{"idle", 1}};
    start_detached(container);
    REQUIRE_V1(cpu, container, "cpu");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.idle"), "1");
}

// A real-time runtime must fit in the parent's, and the cgroups below /ocirun-test get none.
// So this container's cgroup is made directly below the root, which has 950000 us by default.
TEST(ResourcesV1, CpuRealtime) {
    if (!path_exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")) {
        GTEST_SKIP() << "no cpu.rt_runtime_us here (kernel without CONFIG_RT_GROUP_SCHED)";
    }
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["cgroupsPath"] = "/ocirun-rt-" + container.id();
    container.config["linux"]["resources"]["cpu"] = {{"realtimePeriod", 1000000},
                                                     {"realtimeRuntime", 10000}};
    start_detached(container);
    REQUIRE_V1(cpu, container, "cpu");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.rt_period_us"), "1000000");
    EXPECT_EQ(read_trimmed(cpu + "/cpu.rt_runtime_us"), "10000");
}

TEST(ResourcesV1, PidsAndDevicesFiles) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["pids"] = {{"limit", 20}};
    container.config["linux"]["resources"]["devices"] = {
        {{"allow", false}, {"access", "rwm"}},
        {{"allow", true}, {"type", "c"}, {"major", 4}, {"minor", 1}, {"access", "rw"}}};
    start_detached(container);
    REQUIRE_V1(pids, container, "pids");
    REQUIRE_V1(devices, container, "devices");
    EXPECT_EQ(read_trimmed(pids + "/pids.max"), "20");
    std::string list = read_trimmed(devices + "/devices.list");
    EXPECT_TRUE(contains(list, "c 4:1 rw\n") || list.ends_with("c 4:1 rw")) << list;
    EXPECT_TRUE(contains(list, "c 1:3 rwm")) << list;  // /dev/null, a runc default
    EXPECT_FALSE(contains(list, "a *:* rwm")) << list;
}

TEST(ResourcesV1, BlkioThrottleFiles) {
    std::string device = first_block_device();
    if (device.empty()) {
        GTEST_SKIP() << "no block device in /sys/block";
    }
    size_t colon = device.find(':');
    int major = std::stoi(device.substr(0, colon));
    int minor = std::stoi(device.substr(colon + 1));
    auto throttle = [&](int rate) {
        return nlohmann::json::array({{{"major", major}, {"minor", minor}, {"rate", rate}}});
    };
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["blockIO"] = {
        {"throttleReadBpsDevice", throttle(1048576)},
        {"throttleWriteBpsDevice", throttle(2097152)},
        {"throttleReadIOPSDevice", throttle(300)},
        {"throttleWriteIOPSDevice", throttle(400)}};
    start_detached(container);
    REQUIRE_V1(blkio, container, "blkio");
    EXPECT_EQ(read_trimmed(blkio + "/blkio.throttle.read_bps_device"), device + " 1048576");
    EXPECT_EQ(read_trimmed(blkio + "/blkio.throttle.write_bps_device"), device + " 2097152");
    EXPECT_EQ(read_trimmed(blkio + "/blkio.throttle.read_iops_device"), device + " 300");
    EXPECT_EQ(read_trimmed(blkio + "/blkio.throttle.write_iops_device"), device + " 400");
}

// Returns the first block device in /sys/block whose I/O scheduler is not BFQ, as
// "major:minor", or "" when there is none.
std::string block_device_without_bfq() {
    for (const auto& entry : std::filesystem::directory_iterator("/sys/block")) {
        std::string scheduler = read_trimmed(entry.path().string() + "/queue/scheduler");
        if (!scheduler.empty() && !contains(scheduler, "[bfq]")) {
            return read_trimmed(entry.path().string() + "/dev");
        }
    }
    return "";
}

TEST(ResourcesV1, BlkioWeightFile) {
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["blockIO"] = {{"weight", 500}};
    CommandResult result = container.run({"--detach"});
    if (result.status != 0 && contains(result.err, "the kernel has no CFQ or BFQ I/O scheduler")) {
        GTEST_SKIP() << "this kernel has neither CFQ nor BFQ weights";
    }
    ASSERT_EQ(result.status, 0) << result.err;
    REQUIRE_V1(blkio, container, "blkio");
    std::string file = path_exists(blkio + "/blkio.weight") ? "/blkio.weight" : "/blkio.bfq.weight";
    EXPECT_EQ(read_trimmed(blkio + file), "500");
}

// BFQ takes a weight for a device only where BFQ is that device's I/O scheduler.
TEST(ResourcesV1, BlkioDeviceWeightNeedsBfq) {
    if (!path_exists("/sys/fs/cgroup/blkio/cgroup.procs")) {
        GTEST_SKIP() << "no cgroup v1 blkio controller here";
    }
    std::string device = block_device_without_bfq();
    if (device.empty()) {
        GTEST_SKIP() << "every block device here uses BFQ";
    }
    size_t colon = device.find(':');
    nlohmann::json weight_device = {{{"major", std::stoi(device.substr(0, colon))},
                                     {"minor", std::stoi(device.substr(colon + 1))},
                                     {"weight", 300}}};
    TestContainer container({"/bin/true"});
    expect_create_fails(container, {{"blockIO", {{"weightDevice", weight_device}}}},
                        "blockIO.weightDevice " + device + " cannot be set");
}

TEST(ResourcesV1, BlkioLeafWeightNeedsCfq) {
    if (!path_exists("/sys/fs/cgroup/blkio/cgroup.procs")) {
        GTEST_SKIP() << "no cgroup v1 blkio controller here";
    }
    if (path_exists("/sys/fs/cgroup/blkio/blkio.leaf_weight")) {
        GTEST_SKIP() << "this kernel has CFQ leaf weights";
    }
    TestContainer container({"/bin/true"});
    expect_create_fails(container, {{"blockIO", {{"leafWeight", 500}}}},
                        "blkio leaf weight cannot be set");
}

TEST(ResourcesV1, SwapWithoutAccountingFails) {
    std::string root = "/sys/fs/cgroup/memory";
    if (!path_exists(root + "/memory.limit_in_bytes")) {
        GTEST_SKIP() << "no cgroup v1 memory controller here";
    }
    if (path_exists(root + "/memory.memsw.limit_in_bytes")) {
        GTEST_SKIP() << "swap accounting is enabled here, so a swap limit works";
    }
    TestContainer container({"/bin/true"});
    expect_create_fails(container, {{"memory", {{"limit", 64 << 20}, {"swap", 128 << 20}}}},
                        "swap accounting is disabled");
}

TEST(Resources, RdmaWithoutControllerFails) {
    if (controller_enabled("rdma")) {
        GTEST_SKIP() << "this kernel has the rdma controller";
    }
    TestContainer container({"/bin/true"});
    expect_create_fails(container, {{"rdma", {{"mlx5_0", {{"hcaHandles", 3}}}}}},
                        "rdma needs the cgroup v1 `rdma` controller");
}

TEST(Resources, NetworkWithoutControllerFails) {
    if (v1_mounted("net_cls") || v1_mounted("net_prio")) {
        GTEST_SKIP() << "net_cls or net_prio is mounted here";
    }
    TestContainer classid({"/bin/true"});
    expect_create_fails(classid, {{"network", {{"classID", 1048577}}}}, "net_cls");
    TestContainer priorities({"/bin/true"});
    expect_create_fails(priorities,
                        {{"network", {{"priorities", {{{"name", "lo"}, {"priority", 3}}}}}}},
                        "net_prio");
}

// This host does not mount net_cls and net_prio, so the test mounts them in a mount namespace of
// its own. It runs the container there, reads the files, and deletes the container.
// The kernel (6.18 here) keeps the new v1 hierarchy after the namespace is gone, so every process
// then lists an unmounted net_cls,net_prio line in /proc/self/cgroup. containerd's shim fails to
// load such a cgroup and stops reporting OOM kills to Docker, so the test changes the host only
// when OCIRUN_TEST_NET_CGROUP=1 asks for it.
TEST(ResourcesV1, NetworkFilesInPrivateMount) {
    if (std::getenv("OCIRUN_TEST_NET_CGROUP") == nullptr) {
        GTEST_SKIP() << "mounting net_cls leaves a hierarchy on the host; "
                        "set OCIRUN_TEST_NET_CGROUP=1 to run it";
    }
    if (v1_mounted("net_cls") || v1_mounted("net_prio")) {
        GTEST_SKIP() << "net_cls or net_prio is mounted here already";
    }
    if (!controller_enabled("net_cls") || !controller_enabled("net_prio")) {
        GTEST_SKIP() << "this kernel lacks the net_cls or net_prio controller";
    }
    TestContainer container({"/bin/sleep", "300"});
    std::string relative = "/ocirun-netcls-" + container.id();
    container.config["linux"]["cgroupsPath"] = relative;
    container.config["linux"]["resources"]["network"] = {
        {"classID", 1048577}, {"priorities", {{{"name", "lo"}, {"priority", 3}}}}};
    container.write_config();
    std::string mount_point = make_temp_dir("ocirun-net-cgroup");
    const char* script = R"(set -e
mount -t cgroup -o net_cls,net_prio cgroup "$1"
trap '"$2" --root "$3" delete --force "$5" 2>/dev/null; umount "$1"' EXIT
"$2" --root "$3" run --detach --bundle "$4" "$5"
cat "$1$6/net_cls.classid"
grep '^lo ' "$1$6/net_prio.ifpriomap"
"$2" --root "$3" delete --force "$5"
test ! -e "$1$6" && echo removed
)";
    CommandResult result =
        run_command({"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                     script, "sh", mount_point, runtime_binary(), container.root(),
                     container.bundle(), container.id(), relative});
    rmdir(mount_point.c_str());
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "1048577\nlo 3\nremoved\n") << result.err;
}

// On this hybrid layout hugetlb belongs to the cgroup v2 hierarchy, so the limit and the
// `unified` keys go there.
TEST(Resources, HugetlbAndUnifiedOnCgroupV2) {
    if (v1_mounted("hugetlb")) {
        GTEST_SKIP() << "hugetlb is a cgroup v1 controller here";
    }
    if (!path_exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) {
        GTEST_SKIP() << "no 2MB huge pages here";
    }
    TestContainer container({"/bin/sleep", "300"});
    container.config["linux"]["resources"]["hugepageLimits"] = {
        {{"pageSize", "2MB"}, {"limit", 8 << 20}}};
    container.config["linux"]["resources"]["unified"] = {{"hugetlb.2MB.rsvd.max", "4194304"}};
    start_detached(container);
    std::string unified = container.cgroup_dir("");
    ASSERT_FALSE(unified.empty());
    if (!path_exists(unified + "/hugetlb.2MB.max")) {
        GTEST_SKIP() << "the hugetlb controller is not enabled in " << unified;
    }
    EXPECT_EQ(read_trimmed(unified + "/hugetlb.2MB.max"), std::to_string(8 << 20));
    // The unified key is written after hugepageLimits, so it wins over its reservation limit.
    EXPECT_EQ(read_trimmed(unified + "/hugetlb.2MB.rsvd.max"), "4194304");
}

TEST(Resources, RunRemovesCgroupAfterExit) {
    TestContainer container({"/bin/true"});
    container.config["linux"]["resources"]["pids"] = {{"limit", 10}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    std::vector<std::string> left = existing_cgroups("/ocirun-test/" + container.id());
    EXPECT_TRUE(left.empty()) << joined(left);
}

// A frozen cgroup that exists before create is rejected with runc's message.
TEST(Resources, FrozenCgroupRejected) {
    std::string freezer = "/sys/fs/cgroup/freezer";
    if (!path_exists(freezer + "/freezer.state") && !path_exists(freezer + "/cgroup.procs")) {
        GTEST_SKIP() << "no cgroup v1 freezer hierarchy at " << freezer;
    }
    TestContainer container({"/bin/true"});
    std::string relative = "/ocirun-frozen-" + container.id();
    container.config["linux"]["cgroupsPath"] = relative;
    std::string directory = freezer + relative;
    ASSERT_EQ(mkdir(directory.c_str(), 0755), 0) << directory;
    std::ofstream(directory + "/freezer.state") << "FROZEN";

    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_TRUE(contains(result.err, "container's cgroup unexpectedly frozen")) << result.err;

    std::ofstream(directory + "/freezer.state") << "THAWED";
    EXPECT_EQ(rmdir(directory.c_str()), 0) << directory;
}

// A cgroup that exists before create is joined, and delete leaves it for its owner.
TEST(Resources, JoinedCgroupKeptAfterDelete) {
    TestContainer container({"/bin/sleep", "300"});
    std::string relative = "/ocirun-join-" + container.id();
    container.config["linux"]["cgroupsPath"] = relative;
    // One hierarchy per v1 controller below /sys/fs/cgroup, or the single v2 hierarchy at
    // /sys/fs/cgroup itself on a pure cgroup v2 host.
    std::vector<std::string> hierarchies;
    if (path_exists("/sys/fs/cgroup/cgroup.controllers")) {
        hierarchies.push_back("/sys/fs/cgroup");
    } else {
        for (const auto& entry : std::filesystem::directory_iterator("/sys/fs/cgroup")) {
            if (path_exists(entry.path().string() + "/cgroup.procs")) {
                hierarchies.push_back(entry.path().string());
            }
        }
    }
    std::vector<std::string> made;
    for (const std::string& hierarchy : hierarchies) {
        std::string directory = hierarchy + relative;
        ASSERT_EQ(mkdir(directory.c_str(), 0755), 0) << directory;
        made.push_back(directory);
        if (path_exists(directory + "/cpuset.cpus")) {
            std::ofstream(directory + "/cpuset.cpus") << read_trimmed(hierarchy + "/cpuset.cpus");
            std::ofstream(directory + "/cpuset.mems") << read_trimmed(hierarchy + "/cpuset.mems");
        }
    }
    start_detached(container);
    std::string pid = std::to_string(container.state()["pid"].get<int>());
    for (const std::string& directory : made) {
        EXPECT_TRUE(contains(read_trimmed(directory + "/cgroup.procs"), pid)) << directory;
    }

    CommandResult deleted = container.ocirun({"delete", "--force", container.id()});
    EXPECT_EQ(deleted.status, 0) << deleted.err;
    EXPECT_FALSE(process_exists(std::stoi(pid)));
    for (const std::string& directory : made) {
        EXPECT_TRUE(path_exists(directory)) << directory;
        EXPECT_EQ(read_trimmed(directory + "/cgroup.procs"), "") << directory;
        rmdir(directory.c_str());
    }
}

// When one hierarchy has the cgroup before create, delete removes the cgroups ocirun made in the
// others and leaves that one to its owner.
TEST(Resources, PartlyJoinedCgroupDelete) {
    if (path_exists("/sys/fs/cgroup/cgroup.controllers")) {
        GTEST_SKIP() << "one cgroup v2 hierarchy here";
    }
    if (!path_exists("/sys/fs/cgroup/pids/cgroup.procs")) {
        GTEST_SKIP() << "no cgroup v1 pids controller here";
    }
    TestContainer container({"/bin/sleep", "300"});
    std::string relative = "/ocirun-partjoin-" + container.id();
    container.config["linux"]["cgroupsPath"] = relative;
    std::string joined_directory = "/sys/fs/cgroup/pids" + relative;
    ASSERT_EQ(mkdir(joined_directory.c_str(), 0755), 0) << joined_directory;
    start_detached(container);
    std::string pid = std::to_string(container.state()["pid"].get<int>());
    std::vector<std::string> created_directories;
    for (const std::string& directory : existing_cgroups(relative)) {
        EXPECT_TRUE(contains(read_trimmed(directory + "/cgroup.procs"), pid)) << directory;
        if (directory != joined_directory) {
            created_directories.push_back(directory);
        }
    }
    EXPECT_FALSE(created_directories.empty());

    CommandResult deleted = container.ocirun({"delete", "--force", container.id()});
    EXPECT_EQ(deleted.status, 0) << deleted.err;
    EXPECT_FALSE(process_exists(std::stoi(pid)));
    EXPECT_TRUE(path_exists(joined_directory));
    EXPECT_EQ(read_trimmed(joined_directory + "/cgroup.procs"), "");
    for (const std::string& directory : created_directories) {
        EXPECT_FALSE(path_exists(directory)) << directory;
    }
    rmdir(joined_directory.c_str());
}

TEST(Resources, SystemdCgroupWithoutSystemdFails) {
    if (path_exists("/run/systemd/system")) {
        GTEST_SKIP() << "systemd is running here";
    }
    TestContainer container({"/bin/true"});
    container.config["linux"]["cgroupsPath"] = "system.slice:ocirun-test:" + container.id();
    container.write_config();
    CommandResult result = container.ocirun(
        {"--systemd-cgroup", "create", "--bundle", container.bundle(), container.id()});
    EXPECT_NE(result.status, 0);
    EXPECT_TRUE(contains(result.err, "systemd is not running")) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
    std::vector<std::string> left =
        existing_cgroups("/system.slice/ocirun-test-" + container.id() + ".scope");
    EXPECT_TRUE(left.empty()) << joined(left);
}

bool wait_until_gone(pid_t pid) {
    for (int i = 0; i < 200 && process_exists(pid); ++i) {
        usleep(10000);
    }
    return !process_exists(pid);
}

// Without a pid namespace of its own, a process that exec started outlives init, and only the
// cgroup's process list still finds it.
TEST(CgroupProcesses, KillAllReachesProcessesInitLeft) {
    TestContainer container({"/bin/sleep", "300"});
    nlohmann::json& namespaces = container.config["linux"]["namespaces"];
    namespaces.erase(
        std::remove(namespaces.begin(), namespaces.end(), nlohmann::json{{"type", "pid"}}),
        namespaces.end());
    start_detached(container);
    pid_t init = container.state()["pid"].get<pid_t>();
    std::string pid_file = container.bundle() + "/exec.pid";
    CommandResult exec = container.ocirun(
        {"exec", "--detach", "--pid-file", pid_file, container.id(), "/bin/sleep", "300"});
    ASSERT_EQ(exec.status, 0) << exec.err;
    pid_t other = static_cast<pid_t>(std::stol(read_trimmed(pid_file)));

    CommandResult ps = container.ocirun({"ps", "--format", "json", container.id()});
    ASSERT_EQ(ps.status, 0) << ps.err;
    std::vector<pid_t> listed = nlohmann::json::parse(ps.out).get<std::vector<pid_t>>();
    EXPECT_EQ(listed.size(), 2u) << ps.out;
    EXPECT_NE(std::find(listed.begin(), listed.end(), other), listed.end()) << ps.out;

    ASSERT_EQ(container.ocirun({"kill", container.id(), "KILL"}).status, 0);
    ASSERT_TRUE(wait_until_gone(init));
    EXPECT_TRUE(process_exists(other));

    CommandResult all = container.ocirun({"kill", "--all", container.id(), "KILL"});
    EXPECT_EQ(all.status, 0) << all.err;
    EXPECT_TRUE(wait_until_gone(other));
}

}  // namespace
}  // namespace ocirun::testing
