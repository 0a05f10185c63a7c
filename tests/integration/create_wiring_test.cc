// What create sets up around init: the device cgroup, init's cgroup, warnings from the child,
// the session keyring, root.path checks, relative bind sources, intelRdt and execCPUAffinity.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace ocirun::testing {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

size_t count_lines_containing(const std::string& text, const std::string& needle) {
    size_t count = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.find(needle) != std::string::npos) {
            ++count;
        }
    }
    return count;
}

bool has_line(const std::string& text, const std::string& expected) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line == expected) {
            return true;
        }
    }
    return false;
}

void add_capability(nlohmann::json& config, const std::string& name) {
    for (const char* set : {"bounding", "effective", "permitted"}) {
        config["process"]["capabilities"][set].push_back(name);
    }
}

TEST(DeviceCgroup, DevNullIsMadeByMknod) {
    TestContainer container({"/bin/sh", "-c",
                             "stat -c '%t:%T %F' /dev/null; "
                             "grep -c ' /dev/null ' /proc/self/mountinfo; true"});
    // Managers' configs start the device rules with deny-all, as `runc spec` writes them.
    container.config["linux"]["resources"]["devices"] = {{{"allow", false}, {"access", "rwm"}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    // A bind mount of the host's node would show up in mountinfo.
    EXPECT_EQ(result.out, "1:3 character special file\n0\n");
}

TEST(DeviceCgroup, UnlistedDeviceIsDenied) {
    // /dev/mem (1:1) is in no default rule, so the device cgroup rejects opening it, even
    // though mknod of any character device is allowed.
    TestContainer container(
        {"/bin/sh", "-c", "mknod /dev/mem-copy c 1 1 && head -c 1 /dev/mem-copy >/dev/null"});
    add_capability(container.config, "CAP_MKNOD");
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("Operation not permitted"), std::string::npos) << result.err;
}

TEST(DeviceCgroup, ConfiguredDenyAllStillAllowsDefaults) {
    TestContainer container({"/bin/sh", "-c", "echo x > /dev/null && head -c 1 /dev/zero | wc -c"});
    container.config["linux"]["resources"]["devices"] = {{{"allow", false}, {"access", "rwm"}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "1\n");
}

TEST(ChildMessages, UnknownCapabilityWarnsOnce) {
    TestContainer container({"/bin/true"});
    add_capability(container.config, "CAP_NOT_IN_ANY_KERNEL");
    container.write_config();
    std::string log_path = container.bundle() + "/log.json";
    CommandResult result = container.ocirun({"--log", log_path, "--log-format", "json", "run",
                                             "--bundle", container.bundle(), container.id()});
    ASSERT_EQ(result.status, 0) << result.err;
    std::string log = read_text(log_path);
    EXPECT_EQ(count_lines_containing(log, "CAP_NOT_IN_ANY_KERNEL"), 1u) << log;
    EXPECT_EQ(count_lines_containing(log, "\"level\":\"warning\""), 1u) << log;
}

TEST(Keyring, NamedAsRuncNamesIt) {
    TestContainer container({"/bin/cat", "/proc/keys"});
    container.config["linux"]["maskedPaths"] = nlohmann::json::array();
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("_ses." + container.id()), std::string::npos) << result.out;
}

TEST(RootPath, SymlinkIsRejected) {
    TestContainer container({"/bin/true"});
    std::string link = container.bundle() + "/rootfs-link";
    std::filesystem::create_symlink(OCIRUN_ROOTFS, link);
    container.config["root"]["path"] = link;
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("symlink"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

// The test runs ocirun from the build directory, so a source read relative to the current
// directory would not exist.
TEST(BindSource, RelativeIsBelowBundle) {
    TestContainer container({"cat", "/data/file"});
    std::filesystem::create_directories(container.bundle() + "/volumes/data");
    std::ofstream(container.bundle() + "/volumes/data/file") << "in the bundle\n";
    container.config["mounts"].push_back({{"destination", "/data"},
                                          {"type", "bind"},
                                          {"source", "volumes/data"},
                                          {"options", {"rbind", "ro"}}});
    CommandResult result = container.run();
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "in the bundle\n");
}

TEST(IntelRdt, FailsNamingResctrlWhenNotMounted) {
    if (path_exists("/sys/fs/resctrl/schemata")) {
        GTEST_SKIP() << "resctrl is mounted on this host";
    }
    TestContainer container({"/bin/true"});
    container.config["linux"]["intelRdt"] = {{"closID", "ocirun-test"}};
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("resctrl"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

// Init joins its v1 cgroups itself, and the runtime moves it into a v2 cgroup while init sets up
// the container. Either way init must be in the cgroup by the time it runs the process.
TEST(InitCgroup, JoinedBeforeExec) {
    TestContainer container({"/bin/cat", "/proc/self/cgroup"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    // Lines are "ID:CONTROLLERS:PATH". The devices and pids lines are checked on cgroup v1, and
    // the line without controllers on a pure cgroup v2 host.
    std::vector<std::string> v1_paths;
    std::vector<std::string> v2_paths;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
        size_t first = line.find(':');
        size_t second = line.find(':', first + 1);
        ASSERT_NE(second, std::string::npos) << line;
        std::string controllers = "," + line.substr(first + 1, second - first - 1) + ",";
        std::string path = line.substr(second + 1);
        if (controllers == ",,") {
            v2_paths.push_back(path);
        } else if (controllers.find(",devices,") != std::string::npos ||
                   controllers.find(",pids,") != std::string::npos) {
            v1_paths.push_back(path);
        }
    }
    const std::vector<std::string>& checked = v1_paths.empty() ? v2_paths : v1_paths;
    ASSERT_FALSE(checked.empty()) << result.out;
    for (const std::string& path : checked) {
        EXPECT_TRUE(path.ends_with("/" + container.id())) << result.out;
    }
}

// The cloned process writes to the v1 `tasks` files before it forks init for a time namespace,
// and from the new user namespace that clone made, which has no id map yet. In every case init
// must be in every cgroup of state.json once `run --detach` returns.
TEST(InitCgroup, InEveryHierarchyWithNamespaces) {
    struct Case {
        std::string name;
        std::vector<std::string> namespaces;
    };
    const std::vector<Case> cases = {
        {"default", {}},
        {"user namespace", {"user"}},
        {"time namespace", {"time"}},
        {"user and cgroup namespaces", {"user", "cgroup"}},
    };
    for (const Case& test_case : cases) {
        SCOPED_TRACE(test_case.name);
        TestContainer container({"/bin/sleep", "30"});
        for (const std::string& type : test_case.namespaces) {
            container.config["linux"]["namespaces"].push_back({{"type", type}});
        }
        if (std::find(test_case.namespaces.begin(), test_case.namespaces.end(), "user") !=
            test_case.namespaces.end()) {
            container.config["linux"]["uidMappings"] = {
                {{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
            container.config["linux"]["gidMappings"] = {
                {{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
        }
        CommandResult result = container.run({"--detach"});
        ASSERT_EQ(result.status, 0) << result.err;
        std::string pid = std::to_string(container.state()["pid"].get<int>());
        std::vector<std::string> directories = container.cgroup_dirs();
        ASSERT_FALSE(directories.empty());
        for (const std::string& directory : directories) {
            std::string procs = read_text(directory + "/cgroup.procs");
            EXPECT_TRUE(has_line(procs, pid)) << directory << " lists " << procs;
        }
    }
}

TEST(ExecCpuAffinity, FinalIsAppliedBeforeExec) {
    cpu_set_t host;
    ASSERT_EQ(sched_getaffinity(0, sizeof(host), &host), 0);
    if (!CPU_ISSET(0, &host)) {
        GTEST_SKIP() << "cpu 0 is not available to the test";
    }
    TestContainer container({"/bin/grep", "Cpus_allowed_list", "/proc/self/status"});
    container.config["process"]["execCPUAffinity"] = {{"initial", "0"}, {"final", "0"}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("Cpus_allowed_list:\t0\n"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace ocirun::testing
