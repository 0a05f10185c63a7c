// The five capability sets of a container process that runs as an ordinary user. The runtime
// keeps its capabilities across setuid and sets the sets afterwards, so an ambient capability
// survives the program's execve. One that is not inheritable is skipped.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace ocirun::testing {
namespace {

TEST(SecurityCapabilities, AmbientSurvivesUserSwitch) {
    TestContainer container(
        {"/bin/grep", "-E", "^(Uid|Cap(Inh|Prm|Eff|Bnd|Amb)):", "/proc/self/status"});
    container.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
    // CAP_KILL is bit 5 and CAP_NET_BIND_SERVICE bit 10. CAP_KILL is not inheritable, so the
    // kernel would reject it as ambient; the runtime skips it.
    nlohmann::json both = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    container.config["process"]["capabilities"] = {{"bounding", both},
                                                   {"permitted", both},
                                                   {"effective", both},
                                                   {"inheritable", {"CAP_NET_BIND_SERVICE"}},
                                                   {"ambient", both}};
    container.config["process"]["noNewPrivileges"] = true;
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("Uid:\t1000\t1000\t1000\t1000"), std::string::npos) << result.out;
    // grep runs without file capabilities, so after its execve the permitted and effective sets
    // are the ambient set.
    EXPECT_NE(result.out.find("CapInh:\t0000000000000400"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("CapPrm:\t0000000000000400"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("CapEff:\t0000000000000400"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("CapBnd:\t0000000000000420"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("CapAmb:\t0000000000000400"), std::string::npos) << result.out;
}

// Without an ambient set, an ordinary user's program gets no capability at all, whatever the
// permitted set held before execve.
TEST(SecurityCapabilities, NoAmbientMeansNoneAfterExec) {
    TestContainer container({"/bin/grep", "-E", "^Cap(Prm|Eff|Amb):", "/proc/self/status"});
    container.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
    nlohmann::json caps = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
    container.config["process"]["capabilities"] = {
        {"bounding", caps}, {"permitted", caps}, {"effective", caps}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out,
              "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n");
}

}  // namespace
}  // namespace ocirun::testing
