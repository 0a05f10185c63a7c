// Tests of the scheduler, io priority, OOM score, personality, no_new_privs and keyring.
#include <gtest/gtest.h>
#include <linux/ioprio.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "../security/child_process.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

TEST(AttributesScheduler, BatchWithNice) {
    spec::Scheduler scheduler;
    scheduler.policy = "SCHED_BATCH";
    scheduler.policy_value = SCHED_BATCH;
    scheduler.nice = 7;
    auto result = run_in_child([&]() -> std::string {
        apply_scheduler(scheduler);
        if (sched_getscheduler(0) != SCHED_BATCH) {
            return "policy is " + std::to_string(sched_getscheduler(0));
        }
        const int nice = getpriority(PRIO_PROCESS, 0);
        return nice == 7 ? "" : "nice is " + std::to_string(nice);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesScheduler, FifoPriority) {
    spec::Scheduler scheduler;
    scheduler.policy = "SCHED_FIFO";
    scheduler.policy_value = SCHED_FIFO;
    scheduler.priority = 3;
    auto result = run_in_child([&]() -> std::string {
        apply_scheduler(scheduler);
        struct sched_param param = {};
        sched_getparam(0, &param);
        if (sched_getscheduler(0) != SCHED_FIFO || param.sched_priority != 3) {
            return "policy " + std::to_string(sched_getscheduler(0)) + ", priority " +
                   std::to_string(param.sched_priority);
        }
        return "";
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesScheduler, InvalidPriorityNamed) {
    spec::Scheduler scheduler;
    scheduler.policy = "SCHED_FIFO";
    scheduler.policy_value = SCHED_FIFO;
    scheduler.priority = 500;
    auto result = run_in_child([&]() -> std::string {
        apply_scheduler(scheduler);
        return "apply_scheduler did not throw";
    });
    EXPECT_EQ(result.failure,
              "exception: set scheduler SCHED_FIFO (nice 0, priority 500): invalid argument");
}

TEST(AttributesIoPriority, BestEffortLevel) {
    spec::IoPriority io_priority{"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE, 6};
    auto result = run_in_child([&]() -> std::string {
        apply_io_priority(io_priority);
        const long value = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
        return value == IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 6)
                   ? ""
                   : "ioprio is " + std::to_string(value);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesOomScore, WritesScore) {
    auto result = run_in_child([]() -> std::string {
        apply_oom_score_adj(345);
        std::ifstream file("/proc/self/oom_score_adj");
        int score = 0;
        file >> score;
        return score == 345 ? "" : "oom_score_adj is " + std::to_string(score);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesPersonality, Linux32ShowsI686) {
    spec::Personality personality{"LINUX32", {}};
    auto result = run_in_child([&]() -> std::string {
        apply_personality(personality);
        struct utsname name = {};
        uname(&name);
        return std::strcmp(name.machine, "i686") == 0 ? ""
                                                      : std::string("machine is ") + name.machine;
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesPersonality, UnknownDomainRejected) {
    spec::Personality personality{"WINDOWS", {}};
    auto result = run_in_child([&]() -> std::string {
        apply_personality(personality);
        return "apply_personality did not throw";
    });
    EXPECT_EQ(result.failure, "exception: invalid personality domain `WINDOWS`");
}

TEST(AttributesPrivileges, SetsNoNewPrivs) {
    auto result = run_in_child([]() -> std::string {
        apply_no_new_privileges();
        return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? "" : "no_new_privs is not set";
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(AttributesKeyring, JoinsNamedSessionKeyring) {
    auto result = run_in_child([]() -> std::string {
        join_session_keyring("_ses.ocirun-attrs-test");
        char description[256] = {};
        if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, description,
                    sizeof(description) - 1) < 0) {
            return "describe failed";
        }
        // "keyring;uid;gid;perm;name", and the owner uid must have search permission.
        std::string text = description;
        if (text.size() < 22 || text.substr(text.size() - 22) != "_ses.ocirun-attrs-test") {
            return "session keyring is " + text;
        }
        size_t perm_start = text.find(';', text.find(';', text.find(';') + 1) + 1) + 1;
        unsigned long permissions = std::stoul(text.substr(perm_start), nullptr, 16);
        return (permissions & 0x80000) != 0 ? "" : "no user search permission in " + text;
    });
    EXPECT_TRUE(child_succeeded(result));
}

}  // namespace
}  // namespace ocirun::process
