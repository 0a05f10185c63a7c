// OOM notifications: the cgroup v2 counter read through a fake tree's memory.events.
#include "cgroups/oom_notifier.h"

#include <poll.h>

#include <fstream>

#include <gtest/gtest.h>

#include "base/error.h"
#include "fake_tree.h"

namespace ocirun::cgroups {
namespace {

using testing::FakeTree;

bool readable(int fd) {
    pollfd entry{fd, POLLIN, 0};
    return poll(&entry, 1, 0) == 1;
}

TEST(OomNotifier, V2CounterGrowthReported) {
    FakeTree tree;
    std::string unified = tree.add("unified", {{"memory.events", "oom 0\noom_kill 0\n"}});
    OomNotifier notifier({{"", unified}});
    EXPECT_FALSE(readable(notifier.fd()));
    std::ofstream(unified + "/memory.events") << "oom 1\noom_kill 1\n";
    EXPECT_TRUE(readable(notifier.fd()));
    EXPECT_TRUE(notifier.consume());
    EXPECT_FALSE(readable(notifier.fd()));
}

TEST(OomNotifier, V2OtherChangeIgnored) {
    FakeTree tree;
    std::string unified = tree.add("unified", {{"memory.events", "high 0\noom_kill 2\n"}});
    OomNotifier notifier({{"", unified}});
    std::ofstream(unified + "/memory.events") << "high 5\noom_kill 2\n";
    EXPECT_TRUE(readable(notifier.fd()));
    EXPECT_FALSE(notifier.consume());
}

TEST(OomNotifier, NoMemoryControllerUnsupported) {
    FakeTree tree;
    std::string pids = tree.add("pids", {{"pids.max", "max"}});
    try {
        OomNotifier notifier({{"pids", pids}});
        FAIL() << "a notifier opened without a memory controller";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
    }
}

}  // namespace
}  // namespace ocirun::cgroups
