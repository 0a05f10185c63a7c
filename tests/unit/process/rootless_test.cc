#include "process/rootless.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "spec/parse.h"

namespace ocirun::process {
namespace {

spec::Spec rootless_spec(nlohmann::json extra_linux = nlohmann::json::object()) {
    nlohmann::json config = {
        {"ociVersion", "1.0.2"},
        {"root", {{"path", "rootfs"}}},
        {"process", {{"args", {"sh"}}, {"cwd", "/"}, {"user", {{"uid", 0}, {"gid", 0}}}}},
        {"mounts",
         {{{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"newinstance", "gid=5"}}}}},
        {"linux",
         {{"namespaces", {{{"type", "mount"}}, {{"type", "user"}}}},
          {"uidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}},
          {"gidMappings",
           {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}},
            {{"containerID", 1}, {"hostID", 100000}, {"size", 65536}}}}}},
    };
    config["linux"].update(extra_linux);
    return spec::parse_config(config);
}

std::string validation_error(const spec::Spec& spec) {
    try {
        validate_rootless_config(spec);
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

TEST(Rootless, FlagValuesAreTakenAsGiven) {
    EXPECT_TRUE(decide_rootless("true", false, 0, false, false));
    EXPECT_FALSE(decide_rootless("false", false, 1000, true, false));
    EXPECT_THROW(decide_rootless("yes", false, 0, false, false), Error);
}

TEST(Rootless, AutoFollowsEuidAndNamespace) {
    EXPECT_FALSE(decide_rootless("auto", false, 0, false, false));
    EXPECT_TRUE(decide_rootless("auto", false, 1000, false, false));
    EXPECT_TRUE(decide_rootless("auto", false, 0, true, false));
}

TEST(Rootless, AutoWithSystemdCgroup) {
    EXPECT_TRUE(decide_rootless("auto", true, 1000, false, false));
    EXPECT_TRUE(decide_rootless("auto", true, 1000, true, false));
    EXPECT_FALSE(decide_rootless("auto", true, 0, true, false));
    EXPECT_FALSE(decide_rootless("auto", true, 0, false, false));
    // Rootless podman: root in its user namespace, the user's manager on $XDG_RUNTIME_DIR.
    EXPECT_TRUE(decide_rootless("auto", true, 0, true, true));
    EXPECT_FALSE(decide_rootless("auto", true, 0, false, true));
}

TEST(Rootless, XdgRuntimeDirRule) {
    EXPECT_TRUE(honors_xdg_runtime_dir(1000, false, nullptr));
    EXPECT_FALSE(honors_xdg_runtime_dir(0, false, "alice"));
    EXPECT_TRUE(honors_xdg_runtime_dir(0, true, "alice"));
    EXPECT_FALSE(honors_xdg_runtime_dir(0, true, "root"));
    // Unset, as rootless podman leaves it, and empty both count as another user.
    EXPECT_TRUE(honors_xdg_runtime_dir(0, true, nullptr));
    EXPECT_TRUE(honors_xdg_runtime_dir(0, true, ""));
}

TEST(Rootless, ValidConfigPasses) {
    EXPECT_EQ(validation_error(rootless_spec()), "");
}

TEST(Rootless, UserNamespaceRequired) {
    spec::Spec spec = rootless_spec({{"namespaces", {{{"type", "mount"}}}}});
    std::string error = validation_error(spec);
    EXPECT_NE(error.find("requires a user namespace"), std::string::npos) << error;
}

TEST(Rootless, MappingsRequired) {
    spec::Spec no_uids = rootless_spec({{"uidMappings", nlohmann::json::array()}});
    EXPECT_NE(validation_error(no_uids).find("linux.uidMappings"), std::string::npos);
    spec::Spec no_gids = rootless_spec({{"gidMappings", nlohmann::json::array()}});
    EXPECT_NE(validation_error(no_gids).find("linux.gidMappings"), std::string::npos);
}

TEST(Rootless, UnmappedMountGidRejected) {
    spec::Spec spec =
        rootless_spec({{"gidMappings", {{{"containerID", 0}, {"hostID", 1000}, {"size", 1}}}}});
    std::string error = validation_error(spec);
    EXPECT_NE(error.find("gid=5"), std::string::npos) << error;
    EXPECT_NE(error.find("linux.gidMappings"), std::string::npos) << error;
}

TEST(Rootless, ResourceLimitNamed) {
    EXPECT_EQ(first_resource_limit(rootless_spec()), std::nullopt);
    spec::Spec devices_only =
        rootless_spec({{"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}}});
    EXPECT_EQ(first_resource_limit(devices_only), std::nullopt);
    spec::Spec pids = rootless_spec({{"resources", {{"pids", {{"limit", 10}}}}}});
    EXPECT_EQ(first_resource_limit(pids), "pids");
    spec::Spec empty_memory =
        rootless_spec({{"resources", {{"memory", nlohmann::json::object()}}}});
    EXPECT_EQ(first_resource_limit(empty_memory), std::nullopt);
}

}  // namespace
}  // namespace ocirun::process
