// Tests of the image-config-to-config.json conversion.
#include "image/runtime_config.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace ocirun::image {
namespace {

using Json = nlohmann::json;

Json image_with(const Json& config) {
    return Json{{"architecture", "amd64"}, {"os", "linux"}, {"config", config}};
}

nlohmann::ordered_json convert(const Json& image, bool terminal = false) {
    return runtime_config(image, ResolvedUser{}, ConversionOptions{"box", terminal});
}

std::vector<std::string> args_of(const nlohmann::ordered_json& config) {
    return config["process"]["args"].get<std::vector<std::string>>();
}

TEST(RuntimeConfigArgs, EntrypointThenCmd) {
    auto config = convert(image_with({{"Entrypoint", {"/bin/app", "-v"}}, {"Cmd", {"serve"}}}));
    EXPECT_EQ(args_of(config), (std::vector<std::string>{"/bin/app", "-v", "serve"}));
}

TEST(RuntimeConfigArgs, CmdAlone) {
    auto config = convert(image_with({{"Cmd", {"/bin/sh", "-c", "true"}}}));
    EXPECT_EQ(args_of(config), (std::vector<std::string>{"/bin/sh", "-c", "true"}));
}

TEST(RuntimeConfigArgs, EntrypointAlone) {
    auto config = convert(image_with({{"Entrypoint", {"/init"}}, {"Cmd", nullptr}}));
    EXPECT_EQ(args_of(config), (std::vector<std::string>{"/init"}));
}

TEST(RuntimeConfigArgs, NoCommandFails) {
    try {
        convert(image_with(Json::object()));
        FAIL() << "an image without a command converted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::invalid_spec);
    }
}

TEST(RuntimeConfigArgs, NonStringFails) {
    EXPECT_THROW(convert(image_with({{"Cmd", {"/bin/sh", 3}}})), Error);
}

TEST(RuntimeConfigEnv, KeepsImagePath) {
    auto config = convert(image_with({{"Cmd", {"x"}}, {"Env", {"PATH=/opt/bin", "A=1"}}}));
    EXPECT_EQ(config["process"]["env"], nlohmann::ordered_json({"PATH=/opt/bin", "A=1"}));
}

TEST(RuntimeConfigEnv, AddsDefaultPath) {
    auto config = convert(image_with({{"Cmd", {"x"}}, {"Env", {"PATHS=1"}}}));
    auto env = config["process"]["env"].get<std::vector<std::string>>();
    ASSERT_EQ(env.size(), 2u);
    EXPECT_EQ(env[0].rfind("PATH=/usr/local/sbin", 0), 0u) << env[0];
    EXPECT_EQ(env[1], "PATHS=1");
}

TEST(RuntimeConfigEnv, TermOnlyWithTerminal) {
    auto plain = convert(image_with({{"Cmd", {"x"}}}));
    for (const auto& entry : plain["process"]["env"]) {
        EXPECT_NE(entry.get<std::string>().rfind("TERM=", 0), 0u);
    }
    auto with_terminal = convert(image_with({{"Cmd", {"x"}}, {"Env", {"TERM=vt100"}}}), true);
    auto env = with_terminal["process"]["env"].get<std::vector<std::string>>();
    EXPECT_EQ(std::count(env.begin(), env.end(), "TERM=vt100"), 1);
    EXPECT_EQ(std::count(env.begin(), env.end(), "TERM=xterm"), 0);
    EXPECT_TRUE(with_terminal["process"]["terminal"].get<bool>());
}

TEST(RuntimeConfigProcess, DefaultsSuitAnImage) {
    auto config = convert(image_with({{"Cmd", {"x"}}}));
    EXPECT_FALSE(config["process"]["terminal"].get<bool>());
    EXPECT_EQ(config["process"]["cwd"], "/");
    EXPECT_FALSE(config["root"]["readonly"].get<bool>());
    EXPECT_EQ(config["root"]["path"], "rootfs");
    EXPECT_EQ(config["hostname"], "box");
    auto bounding = config["process"]["capabilities"]["bounding"];
    EXPECT_NE(std::find(bounding.begin(), bounding.end(), "CAP_CHOWN"), bounding.end());
}

TEST(RuntimeConfigProcess, WorkingDirAndUser) {
    ResolvedUser user{1000, 100, std::vector<gid_t>{4, 29}};
    auto config = runtime_config(image_with({{"Cmd", {"x"}}, {"WorkingDir", "/srv"}}), user,
                                 ConversionOptions{"box", false});
    EXPECT_EQ(config["process"]["cwd"], "/srv");
    EXPECT_EQ(config["process"]["user"]["uid"], 1000);
    EXPECT_EQ(config["process"]["user"]["gid"], 100);
    EXPECT_EQ(config["process"]["user"]["additionalGids"], nlohmann::ordered_json({4, 29}));
}

TEST(RuntimeConfigAnnotations, SetsImplicitFields) {
    Json image =
        image_with({{"Cmd", {"x"}},
                    {"StopSignal", "SIGQUIT"},
                    {"ExposedPorts", {{"80/tcp", Json::object()}, {"53/udp", Json::object()}}}});
    image["author"] = "someone";
    image["created"] = "2024-01-02T03:04:05Z";
    image["variant"] = "v8";
    image["os.version"] = "10.0";
    image["os.features"] = {"a", "b"};
    auto annotations = convert(image)["annotations"];
    EXPECT_EQ(annotations["org.opencontainers.image.os"], "linux");
    EXPECT_EQ(annotations["org.opencontainers.image.architecture"], "amd64");
    EXPECT_EQ(annotations["org.opencontainers.image.variant"], "v8");
    EXPECT_EQ(annotations["org.opencontainers.image.os.version"], "10.0");
    EXPECT_EQ(annotations["org.opencontainers.image.os.features"], "a,b");
    EXPECT_EQ(annotations["org.opencontainers.image.author"], "someone");
    EXPECT_EQ(annotations["org.opencontainers.image.created"], "2024-01-02T03:04:05Z");
    EXPECT_EQ(annotations["org.opencontainers.image.stopSignal"], "SIGQUIT");
    EXPECT_EQ(annotations["org.opencontainers.image.exposedPorts"], "53/udp,80/tcp");
}

TEST(RuntimeConfigAnnotations, LabelsTakePrecedence) {
    Json image = image_with({{"Cmd", {"x"}},
                             {"StopSignal", "SIGQUIT"},
                             {"Labels",
                              {{"org.opencontainers.image.stopSignal", "SIGINT"},
                               {"org.opencontainers.image.os", "custom"},
                               {"maintainer", "me"}}}});
    auto annotations = convert(image)["annotations"];
    EXPECT_EQ(annotations["org.opencontainers.image.stopSignal"], "SIGINT");
    EXPECT_EQ(annotations["org.opencontainers.image.os"], "custom");
    EXPECT_EQ(annotations["maintainer"], "me");
    EXPECT_EQ(annotations["org.opencontainers.image.architecture"], "amd64");
}

TEST(RuntimeConfigVolumes, SortedAndCleaned) {
    Json image = image_with({{"Cmd", {"sh"}},
                             {"Volumes",
                              {{"/var/lib/db/", Json::object()},
                               {"/data", Json::object()},
                               {"/var//lib/db", Json::object()},
                               {"/var/./lib", Json::object()}}}});
    std::vector<std::string> expected = {"/data", "/var/lib", "/var/lib/db"};
    EXPECT_EQ(volume_paths(image), expected);
}

TEST(RuntimeConfigVolumes, NoneWithoutField) {
    EXPECT_TRUE(volume_paths(image_with({{"Cmd", {"sh"}}})).empty());
    EXPECT_TRUE(volume_paths(image_with({{"Cmd", {"sh"}}, {"Volumes", nullptr}})).empty());
}

TEST(RuntimeConfigVolumes, RejectsRelativeAndRoot) {
    EXPECT_THROW(volume_paths(image_with({{"Volumes", {{"data", Json::object()}}}})), Error);
    EXPECT_THROW(volume_paths(image_with({{"Volumes", {{"/", Json::object()}}}})), Error);
    EXPECT_THROW(volume_paths(image_with({{"Volumes", {{"/a/..", Json::object()}}}})), Error);
}

}  // namespace
}  // namespace ocirun::image
