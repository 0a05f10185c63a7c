// Tests of process::apply_user and process::apply_rlimits in forked children.
#include <grp.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <string>
#include <vector>

#include "../security/child_process.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

TEST(AttributesUser, SetsIdsGroupsAndUmask) {
    spec::User user;
    user.uid = 1234;
    user.gid = 2345;
    user.additional_gids = {20, 30};
    user.umask = 027;
    auto result = run_in_child([&]() -> std::string {
        apply_user(user);
        uid_t ruid = 0, euid = 0, suid = 0;
        getresuid(&ruid, &euid, &suid);
        if (ruid != 1234 || euid != 1234 || suid != 1234) {
            return "uids are " + std::to_string(ruid) + "/" + std::to_string(euid) + "/" +
                   std::to_string(suid);
        }
        gid_t rgid = 0, egid = 0, sgid = 0;
        getresgid(&rgid, &egid, &sgid);
        if (rgid != 2345 || egid != 2345 || sgid != 2345) {
            return "gids are " + std::to_string(rgid) + "/" + std::to_string(egid) + "/" +
                   std::to_string(sgid);
        }
        std::vector<gid_t> groups(16);
        const int count = getgroups(static_cast<int>(groups.size()), groups.data());
        if (count != 2 || groups[0] != 20 || groups[1] != 30) {
            return "getgroups returned " + std::to_string(count) + " groups";
        }
        const mode_t previous = umask(0);
        return previous == 027 ? "" : "umask is " + std::to_string(previous);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesUser, EmptyGroupsClearsThem) {
    spec::User user;
    auto result = run_in_child([&]() -> std::string {
        const gid_t extra = 44;
        setgroups(1, &extra);
        apply_user(user);
        const int count = getgroups(0, nullptr);
        return count == 0 ? "" : "getgroups returned " + std::to_string(count) + " groups";
    });
    EXPECT_TRUE(child_succeeded(result));
}

// Maps only uid and gid 0 in a new user namespace with setgroups denied, as an unprivileged
// user can. Returns "" on success.
std::string enter_unprivileged_user_namespace() {
    if (unshare(CLONE_NEWUSER) != 0) {
        return "unshare failed";
    }
    const std::pair<const char*, const char*> files[] = {
        {"/proc/self/setgroups", "deny"},
        {"/proc/self/uid_map", "0 0 1"},
        {"/proc/self/gid_map", "0 0 1"},
    };
    for (const auto& [path, content] : files) {
        std::ofstream file(path);
        file << content;
        file.close();
        if (!file) {
            return std::string("write ") + path + " failed";
        }
    }
    return "";
}

TEST(AttributesUser, SetgroupsDeniedSkipsGroups) {
    spec::User user;
    auto result = run_in_child([&]() -> std::string {
        std::string failure = enter_unprivileged_user_namespace();
        if (!failure.empty()) {
            return failure;
        }
        apply_user(user);
        return getuid() == 0 ? "" : "uid is " + std::to_string(getuid());
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesUser, SetgroupsDeniedRejectsGroups) {
    spec::User user;
    user.additional_gids = {0};
    auto result = run_in_child([&]() -> std::string {
        std::string failure = enter_unprivileged_user_namespace();
        if (!failure.empty()) {
            return failure;
        }
        apply_user(user);
        return "apply_user did not throw";
    });
    EXPECT_EQ(result.failure,
              "exception: setgroups [0]: cannot set additional groups because "
              "/proc/self/setgroups is `deny` in this user namespace");
}

TEST(AttributesRlimits, SetsSoftAndHard) {
    spec::Rlimit nofile{RLIMIT_NOFILE, "RLIMIT_NOFILE", 1000, 2000};
    spec::Rlimit core{RLIMIT_CORE, "RLIMIT_CORE", RLIM_INFINITY, RLIM_INFINITY};
    auto result = run_in_child([&]() -> std::string {
        apply_rlimits({nofile, core});
        struct rlimit limit = {};
        getrlimit(RLIMIT_NOFILE, &limit);
        if (limit.rlim_cur != 1000 || limit.rlim_max != 2000) {
            return "RLIMIT_NOFILE is " + std::to_string(limit.rlim_cur) + "/" +
                   std::to_string(limit.rlim_max);
        }
        getrlimit(RLIMIT_CORE, &limit);
        return limit.rlim_cur == RLIM_INFINITY && limit.rlim_max == RLIM_INFINITY
                   ? ""
                   : "RLIMIT_CORE is not unlimited";
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesRlimits, RejectedLimitNamed) {
    // Soft above hard is invalid for every caller.
    spec::Rlimit nofile{RLIMIT_NOFILE, "RLIMIT_NOFILE", 3000, 2000};
    auto result = run_in_child([&]() -> std::string {
        apply_rlimits({nofile});
        return "apply_rlimits did not throw";
    });
    EXPECT_EQ(result.failure,
              "exception: set rlimit RLIMIT_NOFILE (soft 3000, hard 2000): invalid argument");
}

}  // namespace
}  // namespace ocirun::process
