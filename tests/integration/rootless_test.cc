// Rootless containers: ocirun run by an ordinary user with subordinate ids, checked from inside
// the container (uid_map, /proc/self/status, mountinfo) and through the state root.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "harness.h"
#include "rootless_harness.h"
#include "terminal/fd_passing.h"
#include "terminal/unique_fd.h"

namespace ocirun::testing {
namespace {

class Rootless : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (geteuid() == 0) {
            user_ = new TestUser();
        }
    }
    static void TearDownTestSuite() {
        delete user_;
        user_ = nullptr;
    }
    void SetUp() override {
        if (user_ == nullptr) {
            GTEST_SKIP() << "needs root to add a test user";
        }
        ASSERT_TRUE(user_->valid()) << user_->error();
    }
    static const TestUser& user() { return *user_; }

  private:
    static TestUser* user_;
};

TestUser* Rootless::user_ = nullptr;

std::string owner_line(const std::string& text, const std::string& prefix) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with(prefix)) {
            return line;
        }
    }
    return "";
}

// Returns the mountinfo line whose mount point is `target`, or "" when none.
std::string mountinfo_line(const std::string& mountinfo, const std::string& target) {
    std::istringstream lines(mountinfo);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, root, mount_point;
        fields >> id >> parent >> device >> root >> mount_point;
        if (mount_point == target) {
            return line;
        }
    }
    return "";
}

std::string words(const std::string& text) {
    std::istringstream in(text);
    std::string result;
    for (std::string word; in >> word;) {
        result += (result.empty() ? "" : " ") + word;
    }
    return result;
}

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

std::string read_until_closed(int master) {
    std::string output;
    for (;;) {
        pollfd entry{master, POLLIN, 0};
        if (poll(&entry, 1, 5000) != 1) {
            return output;
        }
        char buffer[4096];
        ssize_t count = read(master, buffer, sizeof(buffer));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            return output;
        }
        output.append(buffer, static_cast<size_t>(count));
    }
}

// Returns the pids of `ocirun ps --format json`; empty when the command fails.
std::vector<pid_t> ps_pids(const RootlessContainer& container) {
    CommandResult ps = container.ocirun({"ps", "--format", "json", container.id()});
    EXPECT_EQ(ps.status, 0) << ps.err;
    nlohmann::json pids = nlohmann::json::parse(ps.out, nullptr, false);
    if (!pids.is_array()) {
        ADD_FAILURE() << "ps printed no JSON array: " << ps.out;
        return {};
    }
    return pids.get<std::vector<pid_t>>();
}

// Leaves the container in the host's pid namespace. Its /proc becomes a bind mount of the
// host's, because the kernel mounts a new procfs only for the owner of the pid namespace.
void share_host_pid_namespace(RootlessContainer& container) {
    nlohmann::json kept = nlohmann::json::array();
    for (const nlohmann::json& entry : container.config["linux"]["namespaces"]) {
        if (entry["type"] != "pid") {
            kept.push_back(entry);
        }
    }
    container.config["linux"]["namespaces"] = kept;
    container.config["mounts"][0] = {{"destination", "/proc"},
                                     {"type", "bind"},
                                     {"source", "/proc"},
                                     {"options", {"rbind", "nosuid", "noexec", "nodev"}}};
}

// Waits up to 5 s for `pid` to exit or become a zombie; true when it did.
bool wait_until_gone(pid_t pid) {
    for (int i = 0; i < 50; ++i) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string pid_field, name, state;
        if (!(stat >> pid_field >> name >> state) || state == "Z") {
            return true;
        }
        usleep(100000);
    }
    return false;
}

TEST_F(Rootless, RunMapsOwnUid) {
    RootlessContainer container(user(), {"/bin/sh", "-c",
                                         "cat /proc/self/uid_map /proc/self/gid_map "
                                         "/proc/self/setgroups; grep -E '^(Uid|CapEff)' "
                                         "/proc/self/status"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    std::string uid = std::to_string(user().uid());
    std::string gid = std::to_string(user().gid());
    std::string out = words(result.out);
    EXPECT_NE(out.find("0 " + uid + " 1 0 " + gid + " 1 deny"), std::string::npos) << result.out;
    EXPECT_NE(out.find("Uid: 0 0 0 0"), std::string::npos) << result.out;
    // CAP_KILL, CAP_NET_BIND_SERVICE and CAP_AUDIT_WRITE.
    EXPECT_NE(out.find("CapEff: 0000000020000420"), std::string::npos) << result.out;
}

TEST_F(Rootless, SubordinateIdsUseHelpers) {
    ASSERT_NE(user().subuid_start(), 0U) << "no /etc/subuid range for " << user().name();
    RootlessContainer container(user(), {"/bin/sh", "-c",
                                         "cat /proc/self/uid_map /proc/self/gid_map "
                                         "/proc/self/setgroups; stat -c %u:%g /tmp"});
    container.use_subordinate_ids();
    container.config["mounts"][6]["options"] = {"nosuid", "nodev", "uid=1000", "gid=1000"};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    std::string out = words(result.out);
    std::string uid_map = "0 " + std::to_string(user().uid()) + " 1 1 " +
                          std::to_string(user().subuid_start()) + " 65535";
    std::string gid_map = "0 " + std::to_string(user().gid()) + " 1 1 " +
                          std::to_string(user().subgid_start()) + " 65535";
    EXPECT_NE(out.find(uid_map + " " + gid_map), std::string::npos) << result.out;
    // newgidmap leaves setgroups allowed for a map that is not only the caller's own gid.
    EXPECT_NE(out.find("allow"), std::string::npos) << result.out;
    EXPECT_NE(out.find("1000:1000"), std::string::npos) << result.out;
}

TEST_F(Rootless, UnallowedRangeNamesMapping) {
    RootlessContainer container(user(), {"/bin/true"});
    container.config["linux"]["uidMappings"] = {
        {{"containerID", 0}, {"hostID", user().uid()}, {"size", 1}},
        {{"containerID", 1}, {"hostID", 10}, {"size", 5}}};
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("newuidmap"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("[0 " + std::to_string(user().uid()) + " 1,1 10 5]"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("/etc/subuid grants to user `" + user().name() + "`"),
              std::string::npos)
        << result.err;
    EXPECT_FALSE(path_exists(container.state_root() + "/" + container.id()));
}

TEST_F(Rootless, CreateStartKillDelete) {
    RootlessContainer container(user(), {"/bin/sleep", "100"});
    CommandResult created = container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    nlohmann::json state = container.state();
    EXPECT_EQ(state["status"], "created");
    pid_t pid = state["pid"].get<pid_t>();
    EXPECT_TRUE(process_exists(pid));

    struct stat status {};
    ASSERT_EQ(stat(("/proc/" + std::to_string(pid)).c_str(), &status), 0);
    EXPECT_EQ(status.st_uid, user().uid());

    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    EXPECT_EQ(container.state()["status"], "running");

    CommandResult listed = container.ocirun({"list"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    std::string row = owner_line(listed.out, container.id());
    EXPECT_NE(row.find("running"), std::string::npos) << listed.out;
    EXPECT_NE(row.find(user().name()), std::string::npos) << listed.out;

    CommandResult killed = container.ocirun({"kill", container.id(), "KILL"});
    ASSERT_EQ(killed.status, 0) << killed.err;
    for (int i = 0; i < 50 && process_exists(pid); ++i) {
        usleep(100000);
    }
    EXPECT_EQ(container.state()["status"], "stopped");
    CommandResult deleted = container.ocirun({"delete", container.id()});
    ASSERT_EQ(deleted.status, 0) << deleted.err;
    EXPECT_FALSE(path_exists(container.state_root() + "/" + container.id()));
}

TEST_F(Rootless, StateRootIsPrivate) {
    RootlessContainer container(user(), {"/bin/sleep", "100"});
    CommandResult created = container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    struct stat status {};
    ASSERT_EQ(stat(container.state_root().c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0700U);
    EXPECT_EQ(status.st_uid, user().uid());

    TestUser other;
    ASSERT_TRUE(other.valid()) << other.error();
    std::map<std::string, std::string> environment = {{"XDG_RUNTIME_DIR", other.runtime_dir()}};
    std::string binary = runtime_binary();
    CommandResult listed =
        other.run({binary, "--root", container.state_root(), "list"}, environment);
    EXPECT_NE(listed.status, 0) << listed.out;
    EXPECT_NE(listed.err.find("permission denied"), std::string::npos) << listed.err;
    CommandResult own = other.run({binary, "list", "-q"}, environment);
    ASSERT_EQ(own.status, 0) << own.err;
    EXPECT_EQ(own.out, "");
    CommandResult killed = other.run(
        {binary, "--root", container.state_root(), "kill", container.id(), "KILL"}, environment);
    EXPECT_NE(killed.status, 0);
    EXPECT_EQ(container.state()["status"], "created");
}

TEST_F(Rootless, SharedStateRootKeepsUsersApart) {
    // A sticky, world-writable state root such as /tmp, which both users may pass as --root.
    std::string shared_root = make_temp_dir("ocirun-shared-root");
    ASSERT_EQ(chmod(shared_root.c_str(), 01777), 0);
    RootlessContainer container(user(), {"/bin/sleep", "100"});
    container.write_config();
    CommandResult created = container.ocirun(
        {"--root", shared_root, "create", "--bundle", container.bundle(), container.id()});
    ASSERT_EQ(created.status, 0) << created.err;

    TestUser other;
    ASSERT_TRUE(other.valid()) << other.error();
    std::string binary = runtime_binary();
    auto as_other = [&](std::vector<std::string> command) {
        command.insert(command.begin(), {binary, "--root", shared_root});
        return other.run(command, {{"XDG_RUNTIME_DIR", other.runtime_dir()}});
    };
    CommandResult listed = as_other({"list"});
    EXPECT_EQ(listed.status, 0) << listed.err;
    EXPECT_EQ(listed.out.find(container.id()), std::string::npos) << listed.out;
    EXPECT_NE(listed.err.find("skip container `" + container.id() + "`"), std::string::npos)
        << listed.err;
    for (const std::vector<std::string>& command :
         std::vector<std::vector<std::string>>{{"state", container.id()},
                                               {"kill", container.id(), "KILL"},
                                               {"exec", container.id(), "/bin/true"},
                                               {"ps", container.id()},
                                               {"start", container.id()},
                                               {"delete", "--force", container.id()}}) {
        CommandResult result = as_other(command);
        EXPECT_NE(result.status, 0) << command.front() << ": " << result.out;
        EXPECT_NE(result.err.find("permission denied"), std::string::npos)
            << command.front() << ": " << result.err;
    }
    CommandResult state = container.ocirun({"--root", shared_root, "state", container.id()});
    ASSERT_EQ(state.status, 0) << state.err;
    EXPECT_EQ(nlohmann::json::parse(state.out)["status"], "created") << state.out;

    CommandResult deleted =
        container.ocirun({"--root", shared_root, "delete", "--force", container.id()});
    EXPECT_EQ(deleted.status, 0) << deleted.err;
    std::filesystem::remove_all(shared_root);
}

TEST_F(Rootless, ExecJoinsUserNamespace) {
    RootlessContainer container(user(), {"/bin/sleep", "100"});
    CommandResult run = container.run({"--detach"});
    ASSERT_EQ(run.status, 0) << run.err;
    CommandResult exec = container.ocirun(
        {"exec", container.id(), "/bin/sh", "-c", "cat /proc/self/uid_map; id -u; hostname"});
    ASSERT_EQ(exec.status, 0) << exec.err;
    EXPECT_EQ(words(exec.out), "0 " + std::to_string(user().uid()) + " 1 0 rootless");

    CommandResult as_user = container.ocirun({"exec", "--user", "0:0", container.id(), "id"});
    ASSERT_EQ(as_user.status, 0) << as_user.err;
    EXPECT_NE(as_user.out.find("uid=0(root)"), std::string::npos) << as_user.out;
}

// runc 1.1.5 allows this exec because its rootless init stays dumpable. ocirun keeps init
// non-dumpable, so the exec fails with an error that names `start`, and after start the exec works.
TEST_F(Rootless, ExecBeforeStartNamesStart) {
    RootlessContainer container(user(), {"/bin/sleep", "100"});
    CommandResult created = container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    CommandResult early = container.ocirun({"exec", container.id(), "/bin/true"});
    EXPECT_NE(early.status, 0);
    EXPECT_NE(early.err.find("run `start` first"), std::string::npos) << early.err;
    EXPECT_EQ(container.state()["status"], "created");

    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    CommandResult exec = container.ocirun({"exec", container.id(), "/bin/true"});
    EXPECT_EQ(exec.status, 0) << exec.err;
}

TEST_F(Rootless, PsListsContainerProcesses) {
    RootlessContainer container(user(), {"/bin/sh", "-c", "sleep 100 & exec sleep 101"});
    CommandResult run = container.run({"--detach"});
    ASSERT_EQ(run.status, 0) << run.err;
    pid_t pid = container.state()["pid"].get<pid_t>();
    std::vector<pid_t> pids = ps_pids(container);
    EXPECT_EQ(pids.size(), 2U) << ::testing::PrintToString(pids);
    EXPECT_NE(std::find(pids.begin(), pids.end(), pid), pids.end());
    EXPECT_EQ(std::find(pids.begin(), pids.end(), getpid()), pids.end());
}

TEST_F(Rootless, KillAllWithoutPidNamespace) {
    RootlessContainer container(user(), {"/bin/sh", "-c", "sleep 100 & exec sleep 101"});
    share_host_pid_namespace(container);
    CommandResult run = container.run({"--detach"});
    ASSERT_EQ(run.status, 0) << run.err;
    std::vector<pid_t> pids = ps_pids(container);
    // The user namespace, shared with nothing else, distinguishes the two processes.
    ASSERT_EQ(pids.size(), 2U) << ::testing::PrintToString(pids);
    EXPECT_EQ(std::find(pids.begin(), pids.end(), getpid()), pids.end());

    CommandResult killed = container.ocirun({"kill", "--all", container.id(), "KILL"});
    ASSERT_EQ(killed.status, 0) << killed.err;
    for (pid_t pid : pids) {
        EXPECT_TRUE(wait_until_gone(pid)) << "process " << pid << " survived kill --all";
    }
}

TEST_F(Rootless, DeleteForceKillsSharedPidNamespace) {
    RootlessContainer container(user(), {"/bin/sh", "-c", "sleep 100 & exec sleep 101"});
    share_host_pid_namespace(container);
    CommandResult run = container.run({"--detach"});
    ASSERT_EQ(run.status, 0) << run.err;
    std::vector<pid_t> pids = ps_pids(container);
    ASSERT_EQ(pids.size(), 2U) << ::testing::PrintToString(pids);

    CommandResult deleted = container.ocirun({"delete", "--force", container.id()});
    ASSERT_EQ(deleted.status, 0) << deleted.err;
    for (pid_t pid : pids) {
        EXPECT_TRUE(wait_until_gone(pid)) << "process " << pid << " survived delete --force";
    }
}

TEST_F(Rootless, ForegroundTerminalRelays) {
    RootlessContainer container(user(), {"/bin/sh", "-c", "tty; id -u; stty size"});
    container.config["process"]["terminal"] = true;
    container.write_config();
    std::vector<std::string> argv =
        container.ocirun_command_line({"run", "--bundle", container.bundle(), container.id()});
    winsize size{};
    size.ws_row = 31;
    size.ws_col = 101;
    int master = -1;
    pid_t child = forkpty(&master, nullptr, nullptr, &size);
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) {
        std::vector<char*> args;
        for (const std::string& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    std::string output = read_until_closed(master);
    close(master);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << output;
    EXPECT_EQ(WEXITSTATUS(status), 0) << output;
    EXPECT_NE(output.find("/dev/pts/0\r\n0\r\n31 101\r\n"), std::string::npos) << output;
}

TEST_F(Rootless, ExecTerminalThroughConsoleSocket) {
    RootlessContainer container(user(), {"/bin/sleep", "100"});
    CommandResult run = container.run({"--detach"});
    ASSERT_EQ(run.status, 0) << run.err;
    std::string socket_path = container.bundle() + "/exec-console.sock";
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);
    ASSERT_EQ(chown(socket_path.c_str(), user().uid(), user().gid()), 0);

    CommandResult exec =
        container.ocirun({"exec", "--tty", "--detach", "--console-socket", socket_path,
                          container.id(), "/bin/sh", "-c", "tty; id -u"});
    ASSERT_EQ(exec.status, 0) << exec.err;
    pollfd entry{listener.get(), POLLIN, 0};
    ASSERT_EQ(poll(&entry, 1, 5000), 1);
    terminal::UniqueFd connection(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(connection.valid());
    terminal::ReceivedFd received = terminal::receive_fd(connection.get());
    ASSERT_TRUE(received.fd.valid());
    std::string output = read_until_closed(received.fd.get());
    EXPECT_NE(output.find("/dev/pts/"), std::string::npos) << output;
    EXPECT_NE(output.find("\r\n0\r\n"), std::string::npos) << output;
}

TEST_F(Rootless, ConsoleSocketGetsTerminal) {
    RootlessContainer container(user(), {"/bin/sh", "-c", "tty; id -u"});
    container.config["process"]["terminal"] = true;
    std::string socket_path = container.bundle() + "/console.sock";
    terminal::UniqueFd listener = listen_unix(socket_path);
    ASSERT_TRUE(listener.valid()) << std::strerror(errno);
    ASSERT_EQ(chown(socket_path.c_str(), user().uid(), user().gid()), 0);

    CommandResult result = container.run({"--detach", "--console-socket", socket_path});
    ASSERT_EQ(result.status, 0) << result.err;
    pollfd entry{listener.get(), POLLIN, 0};
    ASSERT_EQ(poll(&entry, 1, 5000), 1);
    terminal::UniqueFd connection(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(connection.valid());
    terminal::ReceivedFd received = terminal::receive_fd(connection.get());
    ASSERT_TRUE(received.fd.valid());
    EXPECT_EQ(read_until_closed(received.fd.get()), "/dev/pts/0\r\n0\r\n");
}

TEST_F(Rootless, DevicesAreHostBindMounts) {
    RootlessContainer container(user(), {"/bin/sh", "-c",
                                         "cat /proc/self/mountinfo; stat -c 'null=%t,%T' "
                                         "/dev/null; echo x > /dev/null && echo written"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    for (const char* device : {"/dev/null", "/dev/zero", "/dev/urandom", "/dev/tty"}) {
        std::string line = mountinfo_line(result.out, device);
        EXPECT_NE(line, "") << device << " is not a mount point:\n" << result.out;
        EXPECT_NE(line.find(" - devtmpfs "), std::string::npos) << line;
    }
    EXPECT_NE(result.out.find("null=1,3"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("written"), std::string::npos) << result.out;
}

TEST_F(Rootless, SysfsFallsBackToBind) {
    RootlessContainer container(user(), {"/bin/cat", "/proc/self/mountinfo"});
    // A sysfs mount instead of the rbind of `spec --rootless`: the kernel refuses a new sysfs
    // without a network namespace of the user's own.
    container.config["mounts"][5] = {{"destination", "/sys"},
                                     {"type", "sysfs"},
                                     {"source", "sysfs"},
                                     {"options", {"nosuid", "noexec", "nodev", "ro"}}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    std::string line = mountinfo_line(result.out, "/sys");
    EXPECT_NE(line.find(" - sysfs "), std::string::npos) << result.out;
    EXPECT_NE(line.find(" ro,"), std::string::npos) << line;
}

TEST_F(Rootless, LockedMountFlagsKept) {
    std::string host_dir = make_temp_dir("ocirun-locked");
    ASSERT_EQ(
        mount("tmpfs", host_dir.c_str(), "tmpfs", MS_NODEV | MS_NOSUID | MS_NOEXEC, "mode=0755"), 0)
        << std::strerror(errno);
    RootlessContainer container(user(), {"/bin/cat", "/proc/self/mountinfo"});
    // dev, suid and exec would clear flags that a user namespace cannot clear on a mount it
    // received from its parent.
    container.config["mounts"].push_back({{"destination", "/mnt"},
                                          {"type", "bind"},
                                          {"source", host_dir},
                                          {"options", {"bind", "rw", "dev", "suid", "exec"}}});
    CommandResult result = container.run();
    umount2(host_dir.c_str(), MNT_DETACH);
    rmdir(host_dir.c_str());
    ASSERT_EQ(result.status, 0) << result.err;
    std::string line = mountinfo_line(result.out, "/mnt");
    EXPECT_NE(line.find("nodev"), std::string::npos) << line;
    EXPECT_NE(line.find("nosuid"), std::string::npos) << line;
    EXPECT_NE(line.find("noexec"), std::string::npos) << line;
}

TEST_F(Rootless, ContainerRootIsNotHostRoot) {
    // A root-owned host directory, writable only by host root, bound read-write.
    std::string host_dir = make_temp_dir("ocirun-rootowned");
    ASSERT_EQ(chmod(host_dir.c_str(), 0755), 0);
    RootlessContainer container(user(), {"/bin/sh", "-c",
                                         "stat -c %u /mnt; touch /mnt/x && echo created; "
                                         "mknod /tmp/null c 1 3 && echo mknod; "
                                         "grep NoNewPrivs /proc/self/status"});
    container.config["mounts"].push_back({{"destination", "/mnt"},
                                          {"type", "bind"},
                                          {"source", host_dir},
                                          {"options", {"bind", "rw"}}});
    CommandResult result = container.run();
    bool created_on_host = path_exists(host_dir + "/x");
    std::filesystem::remove_all(host_dir);
    ASSERT_EQ(result.status, 0) << result.err;
    // Host uid 0 is unmapped, so it shows as the overflow uid.
    EXPECT_NE(result.out.find("65534"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("created"), std::string::npos) << result.out;
    EXPECT_FALSE(created_on_host);
    EXPECT_EQ(result.out.find("mknod\n"), std::string::npos) << result.out;
    EXPECT_NE(words(result.out).find("NoNewPrivs: 1"), std::string::npos) << result.out;
}

TEST_F(Rootless, UserNamespaceRequired) {
    RootlessContainer container(user(), {"/bin/true"});
    container.config["linux"]["namespaces"] = {
        {{"type", "pid"}}, {{"type", "mount"}}, {{"type", "ipc"}}};
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("requires a user namespace"), std::string::npos) << result.err;
}

TEST_F(Rootless, ResourceLimitWithoutCgroupFails) {
    RootlessContainer container(user(), {"/bin/true"});
    container.config["linux"]["resources"] = {{"pids", {{"limit", 50}}}};
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("linux.resources.pids"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_root() + "/" + container.id()));
}

TEST_F(Rootless, NoCgroupWarns) {
    RootlessContainer container(user(), {"/bin/true"});
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.err.find("without a cgroup"), std::string::npos) << result.err;
}

TEST_F(Rootless, UnsetXdgRuntimeDirNamed) {
    std::string binary = runtime_binary();
    CommandResult result = user().run({binary, "list"}, {});
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("XDG_RUNTIME_DIR"), std::string::npos) << result.err;
}

// Splits the lines of tests/helpers/proc_access_probe.cc ("CHECK RESULT") into a map.
std::map<std::string, std::string> probe_results(const std::string& output) {
    std::map<std::string, std::string> results;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        size_t space = line.find(' ');
        results[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
    }
    return results;
}

// Created rootless, init keeps the user's host uid and gains no capability over the host, so
// the kernel never clears its dumpable flag by itself. Only the runtime's PR_SET_DUMPABLE makes
// init's /proc files root's and keeps a process with init's capabilities from ptrace. The
// startContainer hook is that process: it runs the probe in the container while init waits
// for it, before init's execve.
TEST_F(Rootless, InitNotDumpableBeforeExecve) {
    RootlessContainer container(user(), {"/bin/true"});
    std::string attack_dir = make_temp_dir("ocirun-rootless-attack");
    ASSERT_EQ(chown(attack_dir.c_str(), user().uid(), user().gid()), 0);
    // The user may not create mount points in the root-owned rootfs, so the test makes them.
    for (const char* mount_point : {"/probe", "/attack"}) {
        std::filesystem::create_directories(std::string(OCIRUN_ROOTFS) + mount_point);
    }
    container.config["mounts"].push_back({{"destination", "/probe"},
                                          {"type", "bind"},
                                          {"source", helpers_dir()},
                                          {"options", {"rbind", "ro"}}});
    container.config["mounts"].push_back({{"destination", "/attack"},
                                          {"type", "bind"},
                                          {"source", attack_dir},
                                          {"options", {"rbind", "rw"}}});
    container.config["hooks"]["startContainer"] = {
        {{"path", "/bin/sh"},
         {"args", {"sh", "-c", "/probe/proc-access-probe $PPID > /attack/probe 2>&1"}}}};
    CommandResult created = container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    pid_t init = container.state().at("pid").get<int>();

    // Seen from the host while init waits for `start`.
    struct stat status {};
    ASSERT_EQ(stat(("/proc/" + std::to_string(init) + "/status").c_str(), &status), 0);
    EXPECT_EQ(status.st_uid, 0U) << "a dumpable init's files are owned by uid " << user().uid();
    EXPECT_EQ(status.st_gid, 0U);

    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    std::string output = read_trimmed(attack_dir + "/probe");
    std::map<std::string, std::string> results = probe_results(output);
    // Inside, the host's root is unmapped and shows as the overflow ids.
    std::string overflow = read_trimmed("/proc/sys/kernel/overflowuid") + " " +
                           read_trimmed("/proc/sys/kernel/overflowgid");
    EXPECT_EQ(results["owner"], overflow) << output;
    EXPECT_EQ(results["exe-read"], "EACCES") << output;
    EXPECT_EQ(results["exe-write"], "EACCES") << output;
    EXPECT_EQ(results["ptrace"], "EPERM") << output;
    std::filesystem::remove_all(attack_dir);
}

}  // namespace
}  // namespace ocirun::testing
