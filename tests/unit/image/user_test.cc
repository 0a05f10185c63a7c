// Tests of Config.User resolution against passwd and group files.
#include "image/user.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace ocirun::image {
namespace {

const char* const kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
    "app:x:1000:1000::/home/app:/bin/sh\n";

const char* const kGroup =
    "root:x:0:\n"
    "daemon:x:1:\n"
    "adm:x:4:daemon,app\n"
    "audio:x:29:app\n"
    "app:x:1000:app\n"
    "video:x:44:other\n";

TEST(ResolveUser, EmptyIsRoot) {
    ResolvedUser user = resolve_user_from("", kPasswd, kGroup);
    EXPECT_EQ(user.uid, 0u);
    EXPECT_EQ(user.gid, 0u);
    EXPECT_FALSE(user.additional_gids);
}

TEST(ResolveUser, NameGetsGroups) {
    ResolvedUser user = resolve_user_from("app", kPasswd, kGroup);
    EXPECT_EQ(user.uid, 1000u);
    EXPECT_EQ(user.gid, 1000u);
    ASSERT_TRUE(user.additional_gids);
    EXPECT_EQ(*user.additional_gids, (std::vector<gid_t>{4, 29}));
}

TEST(ResolveUser, NumericUidIsVerbatim) {
    ResolvedUser user = resolve_user_from("1000", kPasswd, kGroup);
    EXPECT_EQ(user.uid, 1000u);
    EXPECT_EQ(user.gid, 1000u);
    EXPECT_FALSE(user.additional_gids);
}

TEST(ResolveUser, UnknownNumericUidGetsGidZero) {
    ResolvedUser user = resolve_user_from("4242", kPasswd, kGroup);
    EXPECT_EQ(user.uid, 4242u);
    EXPECT_EQ(user.gid, 0u);
}

TEST(ResolveUser, GroupNameOverridesPrimary) {
    ResolvedUser user = resolve_user_from("daemon:adm", kPasswd, kGroup);
    EXPECT_EQ(user.uid, 1u);
    EXPECT_EQ(user.gid, 4u);
    EXPECT_FALSE(user.additional_gids);
}

TEST(ResolveUser, NumericPairIsVerbatim) {
    ResolvedUser user = resolve_user_from("5:6", kPasswd, kGroup);
    EXPECT_EQ(user.uid, 5u);
    EXPECT_EQ(user.gid, 6u);
    EXPECT_FALSE(user.additional_gids);
}

TEST(ResolveUser, UnknownNameFails) {
    try {
        resolve_user_from("nobody", kPasswd, kGroup);
        FAIL() << "unknown user accepted";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("`nobody`"), std::string::npos) << error.what();
    }
}

TEST(ResolveUser, UnknownGroupFails) {
    EXPECT_THROW(resolve_user_from("app:wheel", kPasswd, kGroup), Error);
}

TEST(ResolveUser, MissingFilesFailForNames) {
    EXPECT_THROW(resolve_user_from("app", "", ""), Error);
    EXPECT_EQ(resolve_user_from("7", "", "").uid, 7u);
}

}  // namespace
}  // namespace ocirun::image
