// Tests of security::apply_capabilities and keep_capabilities_across_setuid in forked children.
#include "security/capabilities.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"
#include "process/attributes.h"
#include "security/messages.h"

namespace ocirun::security {
namespace {

using test_support::child_succeeded;
using test_support::run_in_child;

// Returns the hex mask of a line such as "CapEff:\t0000000000000021" in /proc/self/status.
uint64_t read_cap_mask(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) {
            return std::stoull(line.substr(field.size() + 1), nullptr, 16);
        }
    }
    return ~uint64_t{0};
}

// Returns "" when the five masks match, else a description of the first mismatch.
std::string compare_masks(uint64_t bounding, uint64_t permitted, uint64_t effective,
                          uint64_t inheritable, uint64_t ambient) {
    const std::pair<const char*, uint64_t> expected[] = {
        {"CapBnd", bounding},    {"CapPrm", permitted}, {"CapEff", effective},
        {"CapInh", inheritable}, {"CapAmb", ambient},
    };
    for (const auto& [field, mask] : expected) {
        const uint64_t actual = read_cap_mask(field);
        if (actual != mask) {
            std::ostringstream text;
            text << field << " is " << std::hex << actual << ", expected " << mask;
            return text.str();
        }
    }
    return "";
}

constexpr uint64_t bit(int cap) {
    return uint64_t{1} << cap;
}

TEST(Capabilities, AppliesFiveSets) {
    spec::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
    caps.permitted = {"CAP_CHOWN", "CAP_KILL"};
    caps.effective = {"CAP_CHOWN"};
    caps.inheritable = {"CAP_KILL"};
    // CAP_CHOWN is not inheritable, so the kernel would reject it as ambient; it is skipped.
    caps.ambient = {"CAP_KILL", "CAP_CHOWN"};
    auto result = run_in_child([&] {
        apply_capabilities(caps);
        return compare_masks(bit(0) | bit(5) | bit(10), bit(0) | bit(5), bit(0), bit(5), bit(5));
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Capabilities, AbsentEmptiesAllSets) {
    auto result = run_in_child([] {
        apply_capabilities(std::nullopt);
        return compare_masks(0, 0, 0, 0, 0);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Capabilities, UnknownAndUnavailableWarn) {
    spec::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_NO_SUCH_THING", "CAP_SYS_RESOURCE"};
    caps.permitted = {"CAP_CHOWN", "CAP_SYS_RESOURCE"};
    caps.effective = {"CAP_CHOWN"};
    auto result = run_in_child([&] {
        std::vector<std::string> warnings;
        set_message_handler([&](log::Level level, std::string_view message) {
            if (level == log::Level::warning) {
                warnings.emplace_back(message);
            }
        });
        // The runtime itself may hold CAP_SYS_RESOURCE; this child must not.
        if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) != 0) {
            return std::string("drop CAP_SYS_RESOURCE failed");
        }
        apply_capabilities(caps);
        if (warnings.size() != 2) {
            return "expected 2 warnings, got " + std::to_string(warnings.size());
        }
        if (warnings[0].find("`CAP_NO_SUCH_THING` is unknown") == std::string::npos) {
            return "first warning: " + warnings[0];
        }
        if (warnings[1].find("`CAP_SYS_RESOURCE` is not in the runtime's bounding set") ==
            std::string::npos) {
            return "second warning: " + warnings[1];
        }
        return compare_masks(bit(0), bit(0), bit(0), 0, 0);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Capabilities, KeptAcrossSetuid) {
    spec::User user;
    user.uid = 1000;
    user.gid = 1000;
    spec::Capabilities caps;
    caps.bounding = {"CAP_NET_BIND_SERVICE"};
    caps.permitted = {"CAP_NET_BIND_SERVICE"};
    caps.effective = {"CAP_NET_BIND_SERVICE"};
    caps.inheritable = {"CAP_NET_BIND_SERVICE"};
    caps.ambient = {"CAP_NET_BIND_SERVICE"};
    auto result = run_in_child([&] {
        keep_capabilities_across_setuid();
        process::apply_user(user);
        apply_capabilities(caps);
        if (getuid() != 1000) {
            return std::string("uid is not 1000");
        }
        const uint64_t mask = bit(10);
        return compare_masks(mask, mask, mask, mask, mask);
    });
    EXPECT_TRUE(child_succeeded(result));
}

TEST(Capabilities, EffectiveOutsidePermittedFails) {
    spec::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_KILL"};
    caps.permitted = {"CAP_CHOWN"};
    caps.effective = {"CAP_KILL"};
    auto result = run_in_child([&] {
        apply_capabilities(caps);
        return std::string("apply_capabilities did not throw");
    });
    EXPECT_NE(result.failure.find("exception: set capabilities"), std::string::npos)
        << result.failure;
}

}  // namespace
}  // namespace ocirun::security
