// An AppArmor profile or SELinux label requested on a host where that LSM is not enabled is an
// error naming the field and the LSM, raised before any container process exists. Where the
// LSM is enabled the test is skipped, and the Debian VM suite runs the AppArmor path.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "harness.h"

namespace ocirun::testing {
namespace {

std::string first_line(const std::string& path) {
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);
    return line;
}

// Reads the host files that the runtime reads to tell whether an LSM is enabled.
bool lsm_listed(const std::string& name) {
    return ("," + first_line("/sys/kernel/security/lsm") + ",").find("," + name + ",") !=
           std::string::npos;
}

bool apparmor_enabled() {
    std::string parameter = first_line("/sys/module/apparmor/parameters/enabled");
    return parameter.empty() ? lsm_listed("apparmor") : parameter == "Y";
}

bool selinux_enabled() {
    return lsm_listed("selinux") || path_exists("/sys/fs/selinux");
}

TEST(SecurityLsm, ApparmorProfileWithoutApparmorRejected) {
    if (apparmor_enabled()) {
        GTEST_SKIP() << "AppArmor is enabled here";
    }
    TestContainer container({"/bin/true"});
    container.config["process"]["apparmorProfile"] = "ocirun-test-profile";
    CommandResult result = container.create();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("process.apparmorProfile `ocirun-test-profile`"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("AppArmor is not enabled"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST(SecurityLsm, SelinuxLabelWithoutSelinuxRejected) {
    if (selinux_enabled()) {
        GTEST_SKIP() << "SELinux is enabled here";
    }
    TestContainer container({"/bin/true"});
    container.config["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2";
    CommandResult result = container.run();
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.err.find("process.selinuxLabel"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("SELinux is not enabled"), std::string::npos) << result.err;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

// exec takes the profile and label from its flags; the running container is left as it was.
TEST(SecurityLsm, ExecFlagsWithoutLsmRejected) {
    TestContainer container({"/bin/sleep", "300"});
    CommandResult started = container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;
    if (!apparmor_enabled()) {
        CommandResult result = container.ocirun(
            {"exec", "--apparmor", "ocirun-test-profile", container.id(), "/bin/true"});
        EXPECT_NE(result.status, 0);
        EXPECT_NE(result.err.find("AppArmor is not enabled"), std::string::npos) << result.err;
    }
    if (!selinux_enabled()) {
        CommandResult result =
            container.ocirun({"exec", "--process-label", "system_u:system_r:container_t:s0",
                              container.id(), "/bin/true"});
        EXPECT_NE(result.status, 0);
        EXPECT_NE(result.err.find("SELinux is not enabled"), std::string::npos) << result.err;
    }
    EXPECT_EQ(container.status(), "running");
}

}  // namespace
}  // namespace ocirun::testing
