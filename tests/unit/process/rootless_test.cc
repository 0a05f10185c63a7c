#include "process/rootless.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "base/error.h"
#include "spec/parse.h"

namespace ocirun::process {
namespace {

spec::Spec rootless_spec(nlohmann::json extra_linux = nlohmann::json::object()) {
    nlohmann::json config = {
        {"ociVersion", "1.0.2"},
        {"root", {{"path", "rootfs"}}},
        {"process", {{"args", {"sh"}}, {"cwd", "/"}, {"user", {{"uid", 0}, {"gid", 0}}}}},
        {"mounts",
         {{{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"newinstance", "gid=5"}}}}},
        {"linux",
         {{"namespaces", {{{"type", "mount"}}, {{"type", "user"}}}},
          {"uidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}},
          {"gidMappings",
           {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}},
            {{"containerID", 1}, {"hostID", 100000}, {"size", 65536}}}}}},
    };
    config["linux"].update(extra_linux);
    return spec::parse_config(config);
}

std::string validation_error(const spec::Spec& spec) {
    try {
        validate_rootless_config(spec);
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

TEST(Rootless, IdentityMapIsInitialNamespace) {
    EXPECT_FALSE(is_user_namespace_map("         0          0 4294967295\n"));
    EXPECT_TRUE(is_user_namespace_map("         0       1000          1\n"));
    EXPECT_TRUE(is_user_namespace_map("0 0 4294967295\n1 1 1\n"));
    EXPECT_TRUE(is_user_namespace_map("0 0 65536\n"));
    EXPECT_TRUE(is_user_namespace_map(""));
}

TEST(Rootless, FlagValuesAreTakenAsGiven) {
    EXPECT_TRUE(decide_rootless("true", false, 0, false));
    EXPECT_FALSE(decide_rootless("false", false, 1000, true));
    EXPECT_THROW(decide_rootless("yes", false, 0, false), Error);
}

TEST(Rootless, AutoFollowsEuidAndNamespace) {
    EXPECT_FALSE(decide_rootless("auto", false, 0, false));
    EXPECT_TRUE(decide_rootless("auto", false, 1000, false));
    EXPECT_TRUE(decide_rootless("auto", false, 0, true));
    EXPECT_FALSE(decide_rootless("auto", true, 1000, true));
}

TEST(Rootless, XdgRuntimeDirRule) {
    EXPECT_TRUE(honors_xdg_runtime_dir(1000, false, nullptr));
    EXPECT_FALSE(honors_xdg_runtime_dir(0, false, "alice"));
    EXPECT_TRUE(honors_xdg_runtime_dir(0, true, "alice"));
    EXPECT_FALSE(honors_xdg_runtime_dir(0, true, "root"));
    EXPECT_FALSE(honors_xdg_runtime_dir(0, true, nullptr));
}

TEST(Rootless, ValidConfigPasses) {
    EXPECT_EQ(validation_error(rootless_spec()), "");
}

TEST(Rootless, UserNamespaceRequired) {
    spec::Spec spec = rootless_spec({{"namespaces", {{{"type", "mount"}}}}});
    std::string error = validation_error(spec);
    EXPECT_NE(error.find("requires a user namespace"), std::string::npos) << error;
}

TEST(Rootless, MappingsRequired) {
    spec::Spec no_uids = rootless_spec({{"uidMappings", nlohmann::json::array()}});
    EXPECT_NE(validation_error(no_uids).find("linux.uidMappings"), std::string::npos);
    spec::Spec no_gids = rootless_spec({{"gidMappings", nlohmann::json::array()}});
    EXPECT_NE(validation_error(no_gids).find("linux.gidMappings"), std::string::npos);
}

TEST(Rootless, UnmappedMountGidRejected) {
    spec::Spec spec =
        rootless_spec({{"gidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}}});
    std::string error = validation_error(spec);
    EXPECT_NE(error.find("gid=5"), std::string::npos) << error;
    EXPECT_NE(error.find("linux.gidMappings"), std::string::npos) << error;
}

TEST(Rootless, ResourceLimitNamed) {
    EXPECT_EQ(first_resource_limit(rootless_spec()), std::nullopt);
    spec::Spec devices_only =
        rootless_spec({{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}}});
    EXPECT_EQ(first_resource_limit(devices_only), std::nullopt);
    spec::Spec pids = rootless_spec({{"resources", {{"pids", {{"limit", 10}}}}}});
    EXPECT_EQ(first_resource_limit(pids), "pids");
    spec::Spec empty_memory =
        rootless_spec({{"resources", {{"memory", nlohmann::json::object()}}}});
    EXPECT_EQ(first_resource_limit(empty_memory), std::nullopt);
}

// Makes a pid namespace whose init forks one child; sends both host pids over `fd`.
[[noreturn]] void make_pid_namespace(int fd) {
    if (unshare(CLONE_NEWPID) != 0) {
        _exit(1);
    }
    pid_t init = fork();
    if (init == 0) {
        pid_t child = fork();
        if (child == 0) {
            pause();
            _exit(0);
        }
        pause();
        _exit(0);
    }
    // The parent sees host pids, so it reports init and reads init's child from /proc.
    usleep(100000);
    std::ifstream children("/proc/" + std::to_string(init) + "/task/" + std::to_string(init) +
                           "/children");
    pid_t child = 0;
    children >> child;
    pid_t pids[2] = {init, child};
    ssize_t written = write(fd, pids, sizeof(pids));
    pause();
    _exit(written == sizeof(pids) ? 0 : 1);
}

TEST(Rootless, PidNamespaceMembersListed) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t holder = fork();
    if (holder == 0) {
        make_pid_namespace(fds[1]);
    }
    close(fds[1]);
    pid_t pids[2] = {0, 0};
    ssize_t count = read(fds[0], pids, sizeof(pids));
    close(fds[0]);
    std::vector<pid_t> members;
    if (count == sizeof(pids)) {
        members = pid_namespace_members(pids[0]);
    }
    kill(pids[0], SIGKILL);
    kill(holder, SIGKILL);
    waitpid(holder, nullptr, 0);
    ASSERT_EQ(count, static_cast<ssize_t>(sizeof(pids)));
    ASSERT_EQ(members.size(), 2U);
    EXPECT_EQ(members[0], pids[0]);
    EXPECT_EQ(members[1], pids[1]);
}

}  // namespace
}  // namespace ocirun::process
