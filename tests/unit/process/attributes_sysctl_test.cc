// Tests of process::validate_sysctl and process::apply_sysctl.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "../security/child_process.h"
#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

spec::Linux with_namespaces(std::vector<spec::NamespaceType> types) {
    spec::Linux linux_config;
    for (spec::NamespaceType type : types) {
        linux_config.namespaces.push_back({type, ""});
    }
    return linux_config;
}

// Returns the validation error for `key`, or "" when it is accepted.
std::string validation_error(spec::Linux linux_config, const std::string& key) {
    linux_config.sysctl[key] = "1";
    try {
        validate_sysctl(linux_config);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(AttributesSysctl, AcceptsNamespacedKeys) {
    using enum spec::NamespaceType;
    const spec::Linux all = with_namespaces({network, ipc, uts});
    for (const char* key :
         {"net.ipv4.ip_forward", "kernel.msgmax", "kernel.sem", "kernel.shm_rmid_forced",
          "fs.mqueue.msg_max", "kernel.hostname", "kernel.domainname"}) {
        EXPECT_EQ(validation_error(all, key), "") << key;
    }
}

TEST(AttributesSysctl, NamespaceJoinedByPathCounts) {
    spec::Linux linux_config;
    linux_config.namespaces.push_back({spec::NamespaceType::network, "/proc/1/ns/net"});
    EXPECT_EQ(validation_error(linux_config, "net.core.somaxconn"), "");
}

TEST(AttributesSysctl, RejectsHostNamespaces) {
    using enum spec::NamespaceType;
    const spec::Linux none = with_namespaces({pid, mount});
    EXPECT_EQ(validation_error(none, "net.ipv4.ip_forward"),
              "sysctl `net.ipv4.ip_forward` requires a network namespace, which the container "
              "shares with the host");
    EXPECT_EQ(validation_error(none, "kernel.shmmax"),
              "sysctl `kernel.shmmax` requires a ipc namespace, which the container shares with "
              "the host");
    EXPECT_EQ(validation_error(none, "kernel.hostname"),
              "sysctl `kernel.hostname` requires a uts namespace, which the container shares "
              "with the host");
}

TEST(AttributesSysctl, RejectsUnnamespacedKey) {
    const spec::Linux all = with_namespaces(
        {spec::NamespaceType::network, spec::NamespaceType::ipc, spec::NamespaceType::uts});
    EXPECT_EQ(validation_error(all, "vm.swappiness"),
              "sysctl `vm.swappiness` is not in a separate kernel namespace");
}

TEST(AttributesSysctl, WritesInOwnUtsNamespace) {
    auto result = run_in_child([]() -> std::string {
        if (unshare(CLONE_NEWUTS) != 0) {
            return "unshare failed";
        }
        apply_sysctl({{"kernel.hostname", "ocirun-sysctl"}});
        char name[64] = {};
        gethostname(name, sizeof(name) - 1);
        return std::string(name) == "ocirun-sysctl" ? "" : "hostname is " + std::string(name);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesSysctl, RejectsEscapingKey) {
    for (const char* key : {"kernel..hostname", "net./..x", "kernel."}) {
        try {
            apply_sysctl({{key, "1"}});
            ADD_FAILURE() << "accepted " << key;
        } catch (const Error& e) {
            EXPECT_EQ(std::string(e.what()), "invalid sysctl key `" + std::string(key) + "`");
        }
    }
}

TEST(AttributesSysctl, MissingKeyNamed) {
    try {
        apply_sysctl({{"kernel.no_such_key", "1"}});
        FAIL() << "apply_sysctl accepted kernel.no_such_key";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "write sysctl `kernel.no_such_key` (`1`) to `/proc/sys/kernel/no_such_key`: "
                     "no such file or directory");
    }
}

}  // namespace
}  // namespace ocirun::process
