// The features document: valid against features-schema.json, and each list in step with the
// parsers that config.json goes through.
#include "container/features.h"

#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "base/error.h"
#include "base/version.h"
#include "cgroups/systemd_properties.h"
#include "container/intel_rdt.h"
#include "rootfs/mount_options.h"
#include "security/capabilities.h"
#include "security/seccomp_flags.h"
#include "security/seccomp_names.h"
#include "spec/parse.h"

namespace ocirun::container {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kSchema = fs::path(OCIRUN_SOURCE_DIR) / ".." / "shared" / "reference" /
                         "runtime-spec" / "schema" / "features-schema.json";
const fs::path kValidator =
    fs::path(OCIRUN_SOURCE_DIR) / "tests" / "tools" / "validate-json-schema.py";

// Returns the validator's exit status for `document`: 0 valid, 1 invalid, 2 unusable input.
int validate(const Json& document) {
    char pattern[] = "/tmp/ocirun-features-test-XXXXXX";
    int fd = mkstemp(pattern);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    std::ofstream(pattern) << document.dump();
    std::string command = "/usr/bin/python3 '" + kValidator.string() + "' '" + kSchema.string() +
                          "' '" + pattern + "'";
    int status = std::system(command.c_str());
    fs::remove(pattern);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> strings(const Json& list) {
    return list.get<std::vector<std::string>>();
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Parses a config.json holding only ociVersion and `linux`.
spec::Spec parse_linux(const Json& linux_object) {
    return spec::parse_config(Json{{"ociVersion", "1.0.0"}, {"linux", linux_object}});
}

const Json& document() {
    static const Json features = Json(features_document());
    return features;
}

TEST(Features, ValidAgainstSchema) {
    EXPECT_EQ(validate(document()), 0);
}

// Guards the test above: the validator must reject a document that breaks the schema.
TEST(Features, ValidatorRejectsBadDocument) {
    Json broken = document();
    broken.erase("ociVersionMax");
    EXPECT_EQ(validate(broken), 1);
    Json bad_namespace = document();
    bad_namespace["linux"]["namespaces"].push_back("bogus");
    EXPECT_EQ(validate(bad_namespace), 1);
}

TEST(Features, VersionRange) {
    EXPECT_EQ(document()["ociVersionMin"], "1.0.0");
    EXPECT_EQ(document()["ociVersionMax"], kSpecVersion);
}

TEST(Features, HooksParse) {
    std::vector<std::string> hooks = strings(document()["hooks"]);
    ASSERT_EQ(hooks.size(), 6U);
    Json config = {{"ociVersion", "1.0.0"}, {"hooks", Json::object()}};
    for (const std::string& name : hooks) {
        config["hooks"][name] = Json::array({{{"path", "/bin/true"}}});
    }
    spec::Spec spec = spec::parse_config(config);
    ASSERT_TRUE(spec.hooks.has_value());
    EXPECT_EQ(spec.hooks->prestart.size(), 1U);
    EXPECT_EQ(spec.hooks->create_runtime.size(), 1U);
    EXPECT_EQ(spec.hooks->create_container.size(), 1U);
    EXPECT_EQ(spec.hooks->start_container.size(), 1U);
    EXPECT_EQ(spec.hooks->poststart.size(), 1U);
    EXPECT_EQ(spec.hooks->poststop.size(), 1U);
}

TEST(Features, MountOptionsInTable) {
    std::vector<std::string> options = strings(document()["mountOptions"]);
    EXPECT_EQ(options.size(), rootfs::mount_option_names().size());
    for (const std::string& name : options) {
        EXPECT_NE(rootfs::lookup_option(name).kind, rootfs::OptionKind::data) << name;
    }
    for (const char* name : {"rro", "rbind", "tmpcopyup", "nosymfollow", "idmap"}) {
        EXPECT_TRUE(contains(options, name)) << name;
    }
    EXPECT_FALSE(contains(options, "mode=755"));
}

TEST(Features, NamespacesParse) {
    std::vector<std::string> namespaces = strings(document()["linux"]["namespaces"]);
    EXPECT_EQ(namespaces.size(), 8U);
    for (const std::string& type : namespaces) {
        spec::Spec spec = parse_linux({{"namespaces", Json::array({{{"type", type}}})}});
        ASSERT_EQ(spec.linux_config->namespaces.size(), 1U);
        EXPECT_EQ(spec::namespace_type_name(spec.linux_config->namespaces[0].type), type);
    }
    EXPECT_TRUE(contains(namespaces, "time"));
}

TEST(Features, CapabilitiesFromLibcap) {
    std::vector<std::string> capabilities = strings(document()["linux"]["capabilities"]);
    EXPECT_EQ(capabilities, security::known_capability_names());
    ASSERT_FALSE(capabilities.empty());
    EXPECT_EQ(capabilities.front(), "CAP_CHOWN");
    // Debian 12's libcap 2.66 names capabilities up to number 40.
    EXPECT_TRUE(contains(capabilities, "CAP_CHECKPOINT_RESTORE"));
    const std::regex pattern("^CAP_[A-Z_]+$");
    for (const std::string& name : capabilities) {
        EXPECT_TRUE(std::regex_match(name, pattern)) << name;
    }
}

TEST(Features, SeccompNamesParse) {
    const Json& seccomp = document()["linux"]["seccomp"];
    EXPECT_EQ(seccomp["enabled"], true);
    std::vector<std::string> actions = strings(seccomp["actions"]);
    EXPECT_EQ(actions.size(), 9U);
    for (const std::string& name : actions) {
        EXPECT_NO_THROW(security::parse_seccomp_action(name, std::nullopt)) << name;
    }
    std::vector<std::string> operators = strings(seccomp["operators"]);
    EXPECT_EQ(operators.size(), 7U);
    for (const std::string& name : operators) {
        EXPECT_NO_THROW(security::parse_seccomp_operator(name)) << name;
    }
    std::vector<std::string> archs = strings(seccomp["archs"]);
    EXPECT_TRUE(contains(archs, "SCMP_ARCH_X86_64"));
    EXPECT_TRUE(contains(archs, "SCMP_ARCH_AARCH64"));
    for (const std::string& name : archs) {
        EXPECT_NO_THROW(security::parse_seccomp_arch(name)) << name;
    }
    for (const std::string& name : strings(seccomp["knownFlags"])) {
        EXPECT_NO_THROW(security::parse_seccomp_flag(name)) << name;
    }
}

TEST(Features, SeccompParsersRejectUnlisted) {
    EXPECT_THROW(security::parse_seccomp_action("SCMP_ACT_BOGUS", std::nullopt), Error);
    EXPECT_THROW(security::parse_seccomp_operator("SCMP_CMP_BOGUS"), Error);
    EXPECT_THROW(security::parse_seccomp_flag("SECCOMP_FILTER_FLAG_BOGUS"), Error);
}

TEST(Features, SeccompErrnoActionKeepsValue) {
    EXPECT_EQ(security::parse_seccomp_action("SCMP_ACT_ERRNO", 38U), SCMP_ACT_ERRNO(38));
    EXPECT_EQ(security::parse_seccomp_action("SCMP_ACT_ERRNO", std::nullopt),
              SCMP_ACT_ERRNO(EPERM));
    EXPECT_EQ(security::parse_seccomp_action("SCMP_ACT_TRACE", 7U), SCMP_ACT_TRACE(7));
    EXPECT_EQ(security::parse_seccomp_action("SCMP_ACT_KILL", std::nullopt), SCMP_ACT_KILL_THREAD);
}

// Kernels since 4.17 accept TSYNC, LOG and SPEC_ALLOW, so the test needs one at least that new.
TEST(Features, SupportedFlagsProbed) {
    const Json& seccomp = document()["linux"]["seccomp"];
    std::vector<std::string> known = strings(seccomp["knownFlags"]);
    std::vector<std::string> supported = strings(seccomp["supportedFlags"]);
    for (const std::string& name : supported) {
        EXPECT_TRUE(contains(known, name)) << name;
    }
    EXPECT_TRUE(contains(supported, "SECCOMP_FILTER_FLAG_TSYNC"));
    EXPECT_TRUE(contains(supported, "SECCOMP_FILTER_FLAG_LOG"));
    EXPECT_TRUE(contains(supported, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
}

// On a kernel older than 5.19 seccomp(2) rejects WAIT_KILLABLE_RECV. The probe's result is
// injected, so the test reaches that case on any kernel.
TEST(Features, UnsupportedFlagOnlyKnown) {
    constexpr const char* kWaitKillable = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";
    Json old_kernel = Json(features_document(
        [](unsigned flag) { return flag != SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; }));
    const Json& seccomp = old_kernel["linux"]["seccomp"];
    EXPECT_TRUE(contains(strings(seccomp["knownFlags"]), kWaitKillable));
    EXPECT_FALSE(contains(strings(seccomp["supportedFlags"]), kWaitKillable));
    EXPECT_TRUE(contains(strings(seccomp["supportedFlags"]), "SECCOMP_FILTER_FLAG_LOG"));
    EXPECT_EQ(validate(old_kernel), 0);

    Json new_kernel = Json(features_document([](unsigned) { return true; }));
    EXPECT_TRUE(contains(strings(new_kernel["linux"]["seccomp"]["supportedFlags"]), kWaitKillable));
    EXPECT_EQ(validate(new_kernel), 0);
}

// The document of the running kernel lists WAIT_KILLABLE_RECV exactly when the kernel takes it.
TEST(Features, WaitKillableFollowsKernel) {
    std::vector<std::string> supported = strings(document()["linux"]["seccomp"]["supportedFlags"]);
    EXPECT_EQ(contains(supported, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
              security::kernel_accepts_seccomp_flag(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV));
}

TEST(Features, MemoryPolicyParses) {
    const Json& policy = document()["linux"]["memoryPolicy"];
    std::vector<std::string> modes = strings(policy["modes"]);
    EXPECT_EQ(modes.size(), 7U);
    for (const std::string& mode : modes) {
        spec::Spec spec = parse_linux({{"memoryPolicy", {{"mode", mode}}}});
        EXPECT_EQ(spec.linux_config->memory_policy->mode, mode);
    }
    for (const std::string& flag : strings(policy["flags"])) {
        EXPECT_NO_THROW(parse_linux({{"memoryPolicy", {{"mode", "MPOL_BIND"}, {"flags", {flag}}}}}))
            << flag;
    }
    EXPECT_THROW(parse_linux({{"memoryPolicy", {{"mode", "MPOL_BOGUS"}}}}), Error);
}

// intelRdt is reported disabled because create rejects every linux.intelRdt request.
TEST(Features, IntelRdtDisabled) {
    EXPECT_EQ(document()["linux"]["intelRdt"]["enabled"], false);
    spec::Spec spec = parse_linux({{"intelRdt", {{"closID", "ocirun"}}}});
    EXPECT_THROW(check_intel_rdt(*spec.linux_config), Error);
}

TEST(Features, FixedLinuxValues) {
    const Json& linux_features = document()["linux"];
    EXPECT_EQ(linux_features["cgroup"]["v1"], true);
    EXPECT_EQ(linux_features["cgroup"]["v2"], true);
    EXPECT_EQ(linux_features["cgroup"]["systemd"], true);
    EXPECT_EQ(linux_features["cgroup"]["systemdUser"], false);
    EXPECT_EQ(linux_features["mountExtensions"]["idmap"]["enabled"], true);
    EXPECT_EQ(linux_features["netDevices"]["enabled"], true);
}

TEST(Features, AnnotationPrefixesRead) {
    std::vector<std::string> annotations =
        strings(document()["potentiallyUnsafeConfigAnnotations"]);
    ASSERT_FALSE(annotations.empty());
    for (const std::string& prefix : annotations) {
        ASSERT_EQ(prefix.back(), '.');
        cgroups::CgroupRequest request;
        request.annotations = {{prefix + "TasksAccounting", "true"}};
        std::vector<cgroups::UnitProperty> properties = cgroups::annotation_properties(request);
        ASSERT_EQ(properties.size(), 1U) << prefix;
        EXPECT_EQ(properties[0].name, "TasksAccounting");
    }
}

TEST(Features, LibseccompVersionAnnotation) {
    std::string version = document()["annotations"]["io.github.seccomp.libseccomp.version"];
    EXPECT_TRUE(std::regex_match(version, std::regex("^[0-9]+\\.[0-9]+\\.[0-9]+$"))) << version;
}

}  // namespace
}  // namespace ocirun::container
