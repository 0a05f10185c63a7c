// Tests of cpu and node list parsing, cpu affinity and the memory policy.
#include <gtest/gtest.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "../security/child_process.h"
#include "base/error.h"
#include "process/attributes.h"
#include "process/id_list.h"

namespace ocirun::process {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

TEST(AttributesIdList, ParsesRangesAndSingles) {
    EXPECT_EQ(parse_id_list("0-3,7", "cpu list"), (std::vector<unsigned>{0, 1, 2, 3, 7}));
    EXPECT_EQ(parse_id_list("5,1,1-2", "cpu list"), (std::vector<unsigned>{1, 2, 5}));
    EXPECT_EQ(parse_id_list("4", "cpu list"), (std::vector<unsigned>{4}));
    EXPECT_TRUE(parse_id_list("", "cpu list").empty());
}

TEST(AttributesIdList, RejectsInvalidEntries) {
    for (const std::string list : {"a", "1-", "-1", "3-1", "1,,2", "1,", "0x1", " 1", "99999999"}) {
        try {
            parse_id_list(list, "cpu list");
            ADD_FAILURE() << "accepted " << list;
        } catch (const Error& e) {
            EXPECT_EQ(std::string(e.what()).rfind("invalid cpu list `" + list + "`", 0), 0u)
                << e.what();
            EXPECT_EQ(e.kind(), ErrorKind::invalid_spec);
        }
    }
}

TEST(AttributesCpuAffinity, InvalidListNamed) {
    try {
        apply_cpu_affinity("0-x");
        FAIL() << "apply_cpu_affinity accepted 0-x";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "invalid cpu list `0-x`: bad entry `0-x`");
    }
}

TEST(AttributesCpuAffinity, PinsToListedCpu) {
    auto result = run_in_child([]() -> std::string {
        apply_cpu_affinity("0");
        cpu_set_t set;
        CPU_ZERO(&set);
        sched_getaffinity(0, sizeof(set), &set);
        if (CPU_COUNT(&set) != 1 || !CPU_ISSET(0, &set)) {
            return "affinity has " + std::to_string(CPU_COUNT(&set)) + " cpus";
        }
        return "";
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesCpuAffinity, AbsentCpuFails) {
    auto result = run_in_child([]() -> std::string {
        apply_cpu_affinity("4000");
        return "apply_cpu_affinity did not throw";
    });
    EXPECT_EQ(result.failure, "exception: set cpu affinity `4000`: invalid argument");
}

TEST(AttributesMemoryPolicy, BindsToNode) {
    spec::MemoryPolicy policy;
    policy.mode = "MPOL_BIND";
    policy.mode_value = MPOL_BIND;
    policy.nodes = "0";
    auto result = run_in_child([&]() -> std::string {
        apply_memory_policy(policy);
        int mode = -1;
        unsigned long mask[16] = {};
        if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, nullptr, 0) != 0) {
            return "get_mempolicy failed";
        }
        if (mode != MPOL_BIND || mask[0] != 1) {
            return "mode " + std::to_string(mode) + ", mask " + std::to_string(mask[0]);
        }
        return "";
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesMemoryPolicy, DefaultWithoutNodes) {
    spec::MemoryPolicy policy;
    policy.mode = "MPOL_DEFAULT";
    policy.mode_value = MPOL_DEFAULT;
    auto result = run_in_child([&]() -> std::string {
        apply_memory_policy(policy);
        return "";
    });
    EXPECT_TRUE(child_succeeded(result));
}

}  // namespace
}  // namespace ocirun::process
