// Tests for tabwriter-style column alignment.
#include "cli/table.h"

#include <gtest/gtest.h>

namespace ocirun::cli {
namespace {

TEST(Table, MatchesRuncList) {
    // The layout runc 1.1.5 printed for one created container.
    std::string expected =
        "ID          PID         STATUS      BUNDLE       CREATED                          OWNER\n"
        "ctr1        6503        created     /tmp/cli-b   2026-12-04T17:03:12.198246774Z   root\n";
    EXPECT_EQ(format_table({{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"},
                            {"ctr1", "6503", "created", "/tmp/cli-b",
                             "2026-12-04T17:03:12.198246774Z", "root"}}),
              expected);
}

TEST(Table, HeaderOnly) {
    EXPECT_EQ(format_table({{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}}),
              "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
}

TEST(Table, CountsUtf8Characters) {
    EXPECT_EQ(format_table({{"ééééééééééé", "x"}, {"a", "y"}}),
              "ééééééééééé   x\n"
              "a             y\n");
}

}  // namespace
}  // namespace ocirun::cli
