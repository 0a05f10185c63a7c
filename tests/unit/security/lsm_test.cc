// Tests of the LSM checks with fake /sys files, the errors of apply_* on this host, and the
// SELinux mount option.
#include "security/lsm.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "child_process.h"

namespace ocirun::security {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

class LsmTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char dir[] = "/tmp/ocirun-lsm-XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        dir_ = dir;
        sources_.lsm_list = dir_ + "/lsm";
        sources_.apparmor_enabled = dir_ + "/apparmor-enabled";
        sources_.selinux_mount = dir_ + "/selinuxfs";
    }
    void TearDown() override {
        unlink(sources_.lsm_list.c_str());
        unlink(sources_.apparmor_enabled.c_str());
        rmdir(dir_.c_str());
    }
    void write(const std::string& path, const std::string& contents) {
        std::ofstream(path) << contents;
    }
    // Returns the message of the Error that check_lsm_support throws, or "" when it passes.
    std::string check(const spec::Spec& spec) {
        try {
            check_lsm_support(spec, sources_);
        } catch (const Error& error) {
            EXPECT_EQ(error.kind(), ErrorKind::unsupported);
            return error.what();
        }
        return "";
    }

    std::string dir_;
    LsmSources sources_;
};

spec::Spec spec_with(const std::string& profile, const std::string& label,
                     const std::string& mount_label) {
    spec::Spec spec;
    spec.process.emplace();
    spec.process->apparmor_profile = profile;
    spec.process->selinux_label = label;
    spec.linux_config.emplace();
    spec.linux_config->mount_label = mount_label;
    return spec;
}

TEST_F(LsmTest, NoneRequestedPasses) {
    EXPECT_EQ(check(spec_with("", "", "")), "");
}

TEST_F(LsmTest, ApparmorMissingNamesIt) {
    std::string error = check(spec_with("my-profile", "", ""));
    EXPECT_NE(error.find("AppArmor is not enabled"), std::string::npos) << error;
    EXPECT_NE(error.find("`my-profile`"), std::string::npos) << error;
}

TEST_F(LsmTest, ApparmorDisabledParameter) {
    write(sources_.apparmor_enabled, "N\n");
    write(sources_.lsm_list, "lockdown,capability,apparmor");
    EXPECT_FALSE(apparmor_enabled(sources_));
    write(sources_.apparmor_enabled, "Y\n");
    EXPECT_TRUE(apparmor_enabled(sources_));
    EXPECT_EQ(check(spec_with("my-profile", "", "")), "");
}

TEST_F(LsmTest, ApparmorFromLsmList) {
    write(sources_.lsm_list, "lockdown,capability,apparmor");
    EXPECT_TRUE(apparmor_enabled(sources_));
    EXPECT_FALSE(selinux_enabled(sources_));
}

TEST_F(LsmTest, SelinuxMissingNamesIt) {
    write(sources_.lsm_list, "lockdown,capability,apparmor");
    std::string label = check(spec_with("", "system_u:system_r:container_t:s0", ""));
    EXPECT_NE(label.find("process.selinuxLabel"), std::string::npos) << label;
    EXPECT_NE(label.find("SELinux is not enabled"), std::string::npos) << label;
    std::string mount = check(spec_with("", "", "system_u:object_r:container_file_t:s0"));
    EXPECT_NE(mount.find("linux.mountLabel"), std::string::npos) << mount;
}

TEST_F(LsmTest, SelinuxFromLsmList) {
    write(sources_.lsm_list, "capability,selinux\n");
    EXPECT_TRUE(selinux_enabled(sources_));
    EXPECT_EQ(check(spec_with("", "system_u:system_r:container_t:s0", "x")), "");
}

// On a host without the LSM the kernel rejects the write, and the error names the profile.
TEST(Lsm, ApplyApparmorFailsWithoutIt) {
    if (apparmor_enabled()) {
        GTEST_SKIP() << "AppArmor is enabled here; the VM test covers it";
    }
    EXPECT_TRUE(child_succeeded(run_in_child([]() -> std::string {
        try {
            apply_apparmor_profile("my-profile");
        } catch (const Error& error) {
            std::string message = error.what();
            if (message.find("apply AppArmor profile `my-profile`") != 0) {
                return "unexpected error: " + message;
            }
            return "";
        }
        return "applying a profile without AppArmor succeeded";
    })));
}

TEST(Lsm, ApplyEmptyDoesNothing) {
    EXPECT_NO_THROW(apply_apparmor_profile(""));
    EXPECT_NO_THROW(apply_selinux_label(""));
}

TEST(Lsm, MountLabelOption) {
    EXPECT_EQ(add_mount_label("", ""), "");
    EXPECT_EQ(add_mount_label("mode=755", ""), "mode=755");
    EXPECT_EQ(add_mount_label("", "system_u:object_r:container_file_t:s0:c1,c2"),
              "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
    EXPECT_EQ(add_mount_label("mode=755,size=65536k", "l:t"),
              "mode=755,size=65536k,context=\"l:t\"");
}

spec::Mount make_mount(const std::string& destination, const std::string& type,
                       std::vector<std::string> options) {
    spec::Mount mount;
    mount.destination = destination;
    mount.type = type;
    mount.source = type;
    mount.options = std::move(options);
    return mount;
}

// The mounts of a typical podman config, each with whether it takes the label.
std::vector<std::pair<spec::Mount, bool>> typical_mounts() {
    return {
        {make_mount("/proc", "proc", {"nosuid", "noexec", "nodev"}), false},
        {make_mount("/dev", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}), true},
        {make_mount("/dev/pts", "devpts", {"nosuid", "newinstance", "gid=5"}), true},
        {make_mount("/dev/mqueue", "mqueue", {"nosuid", "noexec", "nodev"}), true},
        {make_mount("/dev/shm", "tmpfs", {"mode=1777"}), true},
        {make_mount("/sys", "sysfs", {"nosuid", "ro"}), false},
        {make_mount("/sys/fs/cgroup", "cgroup", {"ro"}), false},
        {make_mount("/sys/fs/cgroup", "cgroup2", {"ro"}), false},
        {make_mount("/etc/hosts", "bind", {"rbind", "ro"}), false},
        {make_mount("/data", "", {"bind"}), false},
        {make_mount("/data2", "none", {"rbind", "rw"}), false},
    };
}

TEST(Lsm, MountTakesLabelByType) {
    for (const auto& [mount, takes_label] : typical_mounts()) {
        EXPECT_EQ(mount_takes_label(mount), takes_label) << mount.destination << " " << mount.type;
    }
}

TEST(Lsm, LabelMountsWithSelinux) {
    const std::string label = "system_u:object_r:container_file_t:s0:c1,c2";
    std::vector<spec::Mount> mounts;
    for (const auto& entry : typical_mounts()) {
        mounts.push_back(entry.first);
    }
    std::vector<spec::Mount> labelled = label_mounts(mounts, label, true);
    ASSERT_EQ(labelled.size(), mounts.size());
    for (size_t i = 0; i < mounts.size(); ++i) {
        std::vector<std::string> expected = mounts[i].options;
        if (typical_mounts()[i].second) {
            expected.push_back("context=\"" + label + "\"");
        }
        EXPECT_EQ(labelled[i].options, expected) << mounts[i].destination;
        EXPECT_EQ(labelled[i].destination, mounts[i].destination);
        EXPECT_EQ(labelled[i].type, mounts[i].type);
    }
}

TEST(Lsm, LabelMountsWithoutSelinuxUnchanged) {
    std::vector<spec::Mount> mounts;
    for (const auto& entry : typical_mounts()) {
        mounts.push_back(entry.first);
    }
    std::vector<spec::Mount> labelled = label_mounts(mounts, "l:t", false);
    ASSERT_EQ(labelled.size(), mounts.size());
    for (size_t i = 0; i < mounts.size(); ++i) {
        EXPECT_EQ(labelled[i].options, mounts[i].options) << mounts[i].destination;
    }
}

TEST(Lsm, LabelMountsEmptyLabelUnchanged) {
    std::vector<spec::Mount> mounts = {make_mount("/dev", "tmpfs", {"mode=755"})};
    std::vector<spec::Mount> labelled = label_mounts(mounts, "", true);
    ASSERT_EQ(labelled.size(), 1U);
    EXPECT_EQ(labelled[0].options, mounts[0].options);
}

}  // namespace
}  // namespace ocirun::security
