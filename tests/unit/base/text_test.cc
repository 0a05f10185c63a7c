// Unit tests for base/text: the splitting and unescaping of /proc and mountinfo text.
#include "base/text.h"

#include <gtest/gtest.h>

namespace ocirun {
namespace {

using Parts = std::vector<std::string>;

TEST(Split, MatchesGetline) {
    EXPECT_EQ(split("", ','), Parts{});
    EXPECT_EQ(split("a", ','), Parts{"a"});
    EXPECT_EQ(split("a,b", ','), Parts({"a", "b"}));
    EXPECT_EQ(split("a,b,", ','), Parts({"a", "b"}));
    EXPECT_EQ(split("a,,b", ','), Parts({"a", "", "b"}));
    EXPECT_EQ(split(",a", ','), Parts({"", "a"}));
    EXPECT_EQ(split(",", ','), Parts{""});
    EXPECT_EQ(split("1:cpu:/x\n0::/\n", '\n'), Parts({"1:cpu:/x", "0::/"}));
}

TEST(SplitWords, SkipsRunsOfSpace) {
    EXPECT_EQ(split_words(""), Parts{});
    EXPECT_EQ(split_words(" \t\n"), Parts{});
    EXPECT_EQ(split_words("         0          0 4294967295\n"), Parts({"0", "0", "4294967295"}));
    EXPECT_EQ(split_words("cpu\t1\t4\t1"), Parts({"cpu", "1", "4", "1"}));
}

TEST(UnescapeOctal, DecodesMountinfoEscapes) {
    EXPECT_EQ(unescape_octal("/mnt/a\\040b"), "/mnt/a b");
    EXPECT_EQ(unescape_octal("\\011\\012\\134"), "\t\n\\");
    EXPECT_EQ(unescape_octal("/plain"), "/plain");
}

TEST(UnescapeOctal, KeepsIncompleteEscapes) {
    EXPECT_EQ(unescape_octal("a\\04"), "a\\04");
    EXPECT_EQ(unescape_octal("a\\089"), "a\\089");
    EXPECT_EQ(unescape_octal("a\\"), "a\\");
}

TEST(UserNamespaceMap, IdentityMapIsInitialNamespace) {
    EXPECT_FALSE(is_user_namespace_map("         0          0 4294967295\n"));
    EXPECT_TRUE(is_user_namespace_map("         0       1000          1\n"));
    EXPECT_TRUE(is_user_namespace_map("0 0 4294967295\n1 1 1\n"));
    EXPECT_TRUE(is_user_namespace_map("0 0 65536\n"));
    EXPECT_TRUE(is_user_namespace_map(""));
}

}  // namespace
}  // namespace ocirun
