// Tests of the mount-option table and of parsing whole option lists.
#include "rootfs/mount_options.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include "base/error.h"

namespace ocirun::rootfs {
namespace {

struct FlagCase {
    const char* name;
    OptionKind kind;
    uint64_t flag;
};

TEST(MountOptionTable, MapsEveryOption) {
    const FlagCase cases[] = {
        {"ro", OptionKind::set_flag, MS_RDONLY},
        {"rw", OptionKind::clear_flag, MS_RDONLY},
        {"nosuid", OptionKind::set_flag, MS_NOSUID},
        {"suid", OptionKind::clear_flag, MS_NOSUID},
        {"nodev", OptionKind::set_flag, MS_NODEV},
        {"dev", OptionKind::clear_flag, MS_NODEV},
        {"noexec", OptionKind::set_flag, MS_NOEXEC},
        {"exec", OptionKind::clear_flag, MS_NOEXEC},
        {"sync", OptionKind::set_flag, MS_SYNCHRONOUS},
        {"async", OptionKind::clear_flag, MS_SYNCHRONOUS},
        {"dirsync", OptionKind::set_flag, MS_DIRSYNC},
        {"remount", OptionKind::set_flag, MS_REMOUNT},
        {"mand", OptionKind::set_flag, MS_MANDLOCK},
        {"nomand", OptionKind::clear_flag, MS_MANDLOCK},
        {"atime", OptionKind::clear_flag, MS_NOATIME},
        {"noatime", OptionKind::set_flag, MS_NOATIME},
        {"diratime", OptionKind::clear_flag, MS_NODIRATIME},
        {"nodiratime", OptionKind::set_flag, MS_NODIRATIME},
        {"relatime", OptionKind::set_flag, MS_RELATIME},
        {"norelatime", OptionKind::clear_flag, MS_RELATIME},
        {"strictatime", OptionKind::set_flag, MS_STRICTATIME},
        {"nostrictatime", OptionKind::clear_flag, MS_STRICTATIME},
        {"lazytime", OptionKind::set_flag, MS_LAZYTIME},
        {"nolazytime", OptionKind::clear_flag, MS_LAZYTIME},
        {"nosymfollow", OptionKind::set_flag, MS_NOSYMFOLLOW},
        {"symfollow", OptionKind::clear_flag, MS_NOSYMFOLLOW},
        {"silent", OptionKind::set_flag, MS_SILENT},
        {"loud", OptionKind::clear_flag, MS_SILENT},
        {"iversion", OptionKind::set_flag, MS_I_VERSION},
        {"noiversion", OptionKind::clear_flag, MS_I_VERSION},
        {"bind", OptionKind::set_flag, MS_BIND},
        {"rbind", OptionKind::set_flag, MS_BIND | MS_REC},
        {"private", OptionKind::propagation, MS_PRIVATE},
        {"rprivate", OptionKind::propagation, MS_PRIVATE | MS_REC},
        {"shared", OptionKind::propagation, MS_SHARED},
        {"rshared", OptionKind::propagation, MS_SHARED | MS_REC},
        {"slave", OptionKind::propagation, MS_SLAVE},
        {"rslave", OptionKind::propagation, MS_SLAVE | MS_REC},
        {"unbindable", OptionKind::propagation, MS_UNBINDABLE},
        {"runbindable", OptionKind::propagation, MS_UNBINDABLE | MS_REC},
        {"rro", OptionKind::recursive_set, MOUNT_ATTR_RDONLY},
        {"rrw", OptionKind::recursive_clear, MOUNT_ATTR_RDONLY},
        {"rnosuid", OptionKind::recursive_set, MOUNT_ATTR_NOSUID},
        {"rsuid", OptionKind::recursive_clear, MOUNT_ATTR_NOSUID},
        {"rnodev", OptionKind::recursive_set, MOUNT_ATTR_NODEV},
        {"rdev", OptionKind::recursive_clear, MOUNT_ATTR_NODEV},
        {"rnoexec", OptionKind::recursive_set, MOUNT_ATTR_NOEXEC},
        {"rexec", OptionKind::recursive_clear, MOUNT_ATTR_NOEXEC},
        {"rnodiratime", OptionKind::recursive_set, MOUNT_ATTR_NODIRATIME},
        {"rdiratime", OptionKind::recursive_clear, MOUNT_ATTR_NODIRATIME},
        {"rnosymfollow", OptionKind::recursive_set, MOUNT_ATTR_NOSYMFOLLOW},
        {"rsymfollow", OptionKind::recursive_clear, MOUNT_ATTR_NOSYMFOLLOW},
        {"rnoatime", OptionKind::recursive_atime, MOUNT_ATTR_NOATIME},
        {"rstrictatime", OptionKind::recursive_atime, MOUNT_ATTR_STRICTATIME},
        {"rrelatime", OptionKind::recursive_atime, MOUNT_ATTR_RELATIME},
        {"ratime", OptionKind::recursive_atime, MOUNT_ATTR_RELATIME},
        {"idmap", OptionKind::idmap, 0},
        {"ridmap", OptionKind::recursive_idmap, 0},
        {"tmpcopyup", OptionKind::tmpcopyup, 0},
    };
    for (const FlagCase& test_case : cases) {
        OptionInfo info = lookup_option(test_case.name);
        EXPECT_EQ(info.kind, test_case.kind) << test_case.name;
        EXPECT_EQ(info.flag, test_case.flag) << test_case.name;
    }
}

TEST(MountOptionTable, UnknownIsData) {
    EXPECT_EQ(lookup_option("mode=755").kind, OptionKind::data);
    EXPECT_EQ(lookup_option("newinstance").kind, OptionKind::data);
}

TEST(ParseMountOptions, DevptsOfDefaultConfig) {
    MountOptions parsed = parse_mount_options(
        {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
    EXPECT_EQ(parsed.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC));
    EXPECT_EQ(parsed.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    EXPECT_FALSE(parsed.is_bind());
    EXPECT_TRUE(parsed.propagation.empty());
}

TEST(ParseMountOptions, LaterOptionWins) {
    MountOptions parsed = parse_mount_options({"ro", "rw", "nodev", "dev", "noexec"});
    EXPECT_EQ(parsed.flags, static_cast<unsigned long>(MS_NOEXEC));
    EXPECT_EQ(parsed.clear_flags, static_cast<unsigned long>(MS_RDONLY | MS_NODEV));
}

TEST(ParseMountOptions, RbindWithPropagation) {
    MountOptions parsed = parse_mount_options({"rbind", "rprivate", "slave"});
    EXPECT_TRUE(parsed.is_bind());
    EXPECT_TRUE(parsed.is_recursive_bind());
    ASSERT_EQ(parsed.propagation.size(), 2U);
    EXPECT_EQ(parsed.propagation[0], static_cast<unsigned long>(MS_PRIVATE | MS_REC));
    EXPECT_EQ(parsed.propagation[1], static_cast<unsigned long>(MS_SLAVE));
}

TEST(ParseMountOptions, RecursiveAttributes) {
    MountOptions parsed = parse_mount_options({"rro", "rnosuid", "rsuid", "rnoatime", "ridmap"});
    EXPECT_EQ(parsed.recursive_set, MOUNT_ATTR_RDONLY);
    EXPECT_EQ(parsed.recursive_clear, MOUNT_ATTR_NOSUID);
    ASSERT_TRUE(parsed.recursive_atime.has_value());
    EXPECT_EQ(*parsed.recursive_atime, MOUNT_ATTR_NOATIME);
    EXPECT_TRUE(parsed.recursive_idmap);
    EXPECT_FALSE(parsed.idmap);
    EXPECT_TRUE(parsed.has_recursive_attributes());
}

TEST(BindAttributes, ReadOnlyKeepsOthers) {
    MountAttributes attributes = bind_attributes(parse_mount_options({"rbind", "ro"}));
    EXPECT_EQ(attributes.set, MOUNT_ATTR_RDONLY);
    EXPECT_EQ(attributes.clear, 0U);
}

TEST(BindAttributes, ClearsAndAtime) {
    MountAttributes attributes =
        bind_attributes(parse_mount_options({"bind", "rw", "suid", "nodev", "noatime"}));
    EXPECT_EQ(attributes.set, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOATIME);
    EXPECT_EQ(attributes.clear, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR__ATIME);
}

TEST(BindAttributes, StrictatimeBeatsNoatime) {
    MountAttributes attributes =
        bind_attributes(parse_mount_options({"bind", "noatime", "strictatime"}));
    EXPECT_EQ(attributes.set & MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME);
}

TEST(ParsePropagation, Names) {
    EXPECT_EQ(parse_propagation(""), 0UL);
    EXPECT_EQ(parse_propagation("shared"), static_cast<unsigned long>(MS_SHARED));
    EXPECT_EQ(parse_propagation("rslave"), static_cast<unsigned long>(MS_SLAVE | MS_REC));
    EXPECT_EQ(parse_propagation("runbindable"), static_cast<unsigned long>(MS_UNBINDABLE | MS_REC));
}

TEST(ParsePropagation, RejectsUnknown) {
    try {
        parse_propagation("bogus");
        FAIL() << "parse_propagation accepted `bogus`";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::invalid_spec);
        EXPECT_NE(std::string(error.what()).find("bogus"), std::string::npos);
    }
}

}  // namespace
}  // namespace ocirun::rootfs
