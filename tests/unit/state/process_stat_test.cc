// Tests for parsing /proc/PID/stat.
#include "state/process_stat.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace ocirun::state {
namespace {

TEST(ProcessStat, ParsesPlainName) {
    auto stat = parse_process_stat(
        "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 1000 100");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->state, 'S');
    EXPECT_EQ(stat->start_time, 123456u);
}

TEST(ProcessStat, NameWithSpacesAndParens) {
    auto stat = parse_process_stat(
        "42 (a) Z (b c) R 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 777 1000 100");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->state, 'R');
    EXPECT_EQ(stat->start_time, 777u);
}

TEST(ProcessStat, RejectsMalformed) {
    EXPECT_FALSE(parse_process_stat("").has_value());
    EXPECT_FALSE(parse_process_stat("42 sleep S 1").has_value());
    EXPECT_FALSE(parse_process_stat("42 (sleep) S 1 42 42").has_value());
    EXPECT_FALSE(
        parse_process_stat("42 (x) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12x 1000 100")
            .has_value());
}

TEST(ProcessStat, ReadsOwnProcess) {
    auto stat = read_process_stat(getpid());
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->state, 'R');
    EXPECT_GT(stat->start_time, 0u);
}

TEST(ProcessStat, MissingProcess) {
    EXPECT_FALSE(read_process_stat(0).has_value());
    EXPECT_FALSE(read_process_stat(-1).has_value());
    // Above the kernel's maximum pid (4194304), so no process can have it.
    EXPECT_FALSE(read_process_stat(5000000).has_value());
}

}  // namespace
}  // namespace ocirun::state
