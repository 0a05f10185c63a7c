// Checks made from inside a container: namespaces, ids, limits, capabilities, fds.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "harness.h"

namespace ocirun::testing {
namespace {

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

TEST(Inside, NamespacesDifferFromHost) {
    TestContainer container({"/bin/ls", "-l", "/proc/self/ns/"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    for (const char* name : {"pid", "net", "ipc", "uts", "mnt"}) {
        std::string host = host_namespace(name);
        ASSERT_FALSE(host.empty());
        EXPECT_EQ(result.out.find(host), std::string::npos) << name << " is the host's: " << host;
        EXPECT_NE(result.out.find(std::string(name) + ":["), std::string::npos) << result.out;
    }
}

TEST(Inside, SharedNamespaceIsHost) {
    TestContainer container({"/bin/readlink", "/proc/self/ns/net"});
    auto& namespaces = container.config["linux"]["namespaces"];
    namespaces.erase(1);  // network
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(trim(result.out), host_namespace("net"));
}

TEST(Inside, JoinedNamespaceByPath) {
    // A child of the test keeps a new uts namespace open for the container to join.
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t holder = fork();
    if (holder == 0) {
        bool made = unshare(CLONE_NEWUTS) == 0;
        (void)!write(ready[1], made ? "1" : "0", 1);
        pause();
        _exit(0);
    }
    char made = 0;
    ASSERT_EQ(read(ready[0], &made, 1), 1);
    close(ready[0]);
    close(ready[1]);
    std::string path = "/proc/" + std::to_string(holder) + "/ns/uts";
    std::string expected = std::filesystem::read_symlink(path).string();

    TestContainer container({"/bin/readlink", "/proc/self/ns/uts"});
    container.config["linux"]["namespaces"][3]["path"] = path;
    container.config.erase("hostname");
    CommandResult result = container.run();
    kill(holder, SIGKILL);
    waitpid(holder, nullptr, 0);
    ASSERT_EQ(made, '1');
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(trim(result.out), expected);
}

TEST(Inside, JoinedPidNamespace) {
    // A child of the test makes a pid namespace whose init (its own child) keeps it alive.
    int report[2];
    ASSERT_EQ(pipe(report), 0);
    pid_t holder = fork();
    if (holder == 0) {
        if (unshare(CLONE_NEWPID) != 0) {
            _exit(1);
        }
        pid_t namespace_init = fork();
        if (namespace_init == 0) {
            pause();
            _exit(0);
        }
        (void)!write(report[1], &namespace_init, sizeof(namespace_init));
        waitpid(namespace_init, nullptr, 0);
        _exit(0);
    }
    pid_t namespace_init = 0;
    ASSERT_EQ(read(report[0], &namespace_init, sizeof(namespace_init)),
              static_cast<ssize_t>(sizeof(namespace_init)));
    close(report[0]);
    close(report[1]);
    std::string path = "/proc/" + std::to_string(namespace_init) + "/ns/pid";
    std::string expected = std::filesystem::read_symlink(path).string();

    TestContainer container({"/bin/sh", "-c", "echo $$; readlink /proc/self/ns/pid"});
    container.config["linux"]["namespaces"][0]["path"] = path;
    CommandResult result = container.run();
    kill(namespace_init, SIGKILL);
    waitpid(holder, nullptr, 0);
    ASSERT_EQ(result.status, 0) << result.err;
    // The namespace's pid 1 is the holder's child, so the container's shell is a later pid.
    EXPECT_NE(result.out.substr(0, 2), "1\n") << result.out;
    EXPECT_NE(result.out.find(expected), std::string::npos) << result.out;
}

TEST(Inside, SeccompApplied) {
    TestContainer container({"/bin/mkdir", "/tmp/blocked"});
    container.config["linux"]["seccomp"] = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls",
         {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}}}};
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("Operation not permitted"), std::string::npos) << result.err;
}

TEST(Inside, WrongNamespaceTypeFails) {
    TestContainer container({"/bin/true"});
    container.config["linux"]["namespaces"][3]["path"] = "/proc/1/ns/net";
    container.config.erase("hostname");
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(Inside, InitIsPidOne) {
    TestContainer container({"/bin/sh", "-c", "echo $$"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(trim(result.out), "1");
}

TEST(Inside, HostnameIsSet) {
    TestContainer container({"/bin/hostname"});
    container.config["hostname"] = "box-7";
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(trim(result.out), "box-7");
}

TEST(Inside, UserAndGroups) {
    TestContainer container({"/bin/sh", "-c", "id -u; id -g; id -G"});
    container.config["process"]["user"] = {
        {"uid", 1000}, {"gid", 1001}, {"additionalGids", {10, 20}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "1000\n1001\n1001 10 20\n");
}

TEST(Inside, RlimitsApplied) {
    TestContainer container({"/bin/sh", "-c", "ulimit -n; ulimit -Hn"});
    container.config["process"]["rlimits"] = {
        {{"type", "RLIMIT_NOFILE"}, {"soft", 321}, {"hard", 654}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "321\n654\n");
}

TEST(Inside, CapabilitiesApplied) {
    TestContainer container({"/bin/grep", "-E", "^Cap(Eff|Prm|Bnd)", "/proc/self/status"});
    nlohmann::json caps = {"CAP_CHOWN", "CAP_KILL"};  // bits 0 and 5
    container.config["process"]["capabilities"] = {
        {"bounding", caps}, {"effective", caps}, {"permitted", caps}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("CapEff:\t0000000000000021"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("CapPrm:\t0000000000000021"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("CapBnd:\t0000000000000021"), std::string::npos) << result.out;
}

TEST(Inside, NoNewPrivilegesSet) {
    TestContainer container({"/bin/grep", "NoNewPrivs", "/proc/self/status"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("NoNewPrivs:\t1"), std::string::npos) << result.out;
}

TEST(Inside, CwdCreatedWhenMissing) {
    TestContainer container({"/bin/pwd"});
    container.config["root"]["readonly"] = false;
    container.config["process"]["cwd"] = "/tmp/work/dir";
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(trim(result.out), "/tmp/work/dir");
}

TEST(Inside, UserNamespaceMapsIds) {
    TestContainer container({"/bin/cat", "/proc/self/uid_map", "/proc/self/gid_map"});
    container.config["linux"]["namespaces"].push_back({{"type", "user"}});
    container.config["linux"]["uidMappings"] = {
        {{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
    container.config["linux"]["gidMappings"] = {
        {{"containerID", 0}, {"hostID", 200000}, {"size", 65536}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("200000"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("65536"), std::string::npos) << result.out;
}

TEST(Inside, TimeNamespaceOffset) {
    TestContainer container({"/bin/cat", "/proc/uptime"});
    container.config["linux"]["namespaces"].push_back({{"type", "time"}});
    container.config["linux"]["timeOffsets"] = {{"boottime", {{"secs", 5000000}, {"nanosecs", 0}}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_GE(std::stod(result.out), 5000000.0) << result.out;
}

TEST(Inside, PreservedFdPassesThrough) {
    TestContainer container({"/bin/sh", "-c", "echo through >&3; ls /proc/self/fd"});
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    container.write_config();
    CommandResult result = container.ocirun(
        {"run", "--bundle", container.bundle(), "--preserve-fds", "1", container.id()},
        {{3, fds[1]}, {4, fds[1]}});
    close(fds[1]);
    char buffer[64] = {};
    ssize_t count = read(fds[0], buffer, sizeof(buffer) - 1);
    close(fds[0]);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(std::string(buffer, count > 0 ? static_cast<size_t>(count) : 0), "through\n");
    // fd 4 was not preserved; ls itself opens one fd (its directory), numbered 4.
    EXPECT_EQ(result.out, "0\n1\n2\n3\n4\n") << result.out;
}

TEST(Inside, ListenFdsHandedOver) {
    TestContainer container({"/bin/sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; echo via >&3"});
    container.write_config();
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    // exec keeps the shell's pid, so LISTEN_PID names the runtime as socket activation does.
    std::string script = "LISTEN_FDS=1 LISTEN_PID=$$ exec " + runtime_binary() + " --root " +
                         container.root() + " run --bundle " + container.bundle() + " " +
                         container.id();
    CommandResult result = run_command({"/bin/sh", "-c", script}, 10000, {{3, fds[1]}});
    close(fds[1]);
    char buffer[64] = {};
    ssize_t count = read(fds[0], buffer, sizeof(buffer) - 1);
    close(fds[0]);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "1 1\n");
    EXPECT_EQ(std::string(buffer, count > 0 ? static_cast<size_t>(count) : 0), "via\n");
}

TEST(Inside, EnvironmentIsExact) {
    TestContainer container({"/usr/bin/env"});
    container.config["process"]["env"] = {"PATH=/bin", "ONLY=yes"};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("ONLY=yes\n"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("TERM="), std::string::npos) << result.out;
}

TEST(Inside, NetDeviceMovedAndRenamed) {
    TestContainer container({"/bin/cat", "/proc/net/dev"});
    container.config["linux"]["netDevices"] = {{"ocirun-v0", {{"name", "moved0"}}}};
    container.write_config();
    // The veth pair lives in a network namespace made for this test only.
    std::string script = "ip link add ocirun-v0 type veth peer name ocirun-v1 && exec " +
                         runtime_binary() + " --root " + container.root() + " run --bundle " +
                         container.bundle() + " " + container.id();
    CommandResult result = run_command({"/usr/bin/unshare", "--net", "/bin/sh", "-c", script});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("moved0:"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("ocirun-v0"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace ocirun::testing
