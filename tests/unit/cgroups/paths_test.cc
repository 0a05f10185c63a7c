// Resolution of linux.cgroupsPath into per-hierarchy directories.
#include "cgroups/paths.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace ocirun::cgroups {
namespace {

Layout hybrid_layout() {
    std::vector<Hierarchy> hierarchies = {
        {"/sys/fs/cgroup/cpu,cpuacct", "/", {"cpu", "cpuacct"}, false},
        {"/sys/fs/cgroup/memory", "/", {"memory"}, false},
        {"/sys/fs/cgroup/systemd", "/", {"name=systemd"}, false},
        {"/sys/fs/cgroup/unified", "/", {}, true},
    };
    return make_layout(hierarchies, {{"cpu", "/"},
                                     {"cpuacct", "/"},
                                     {"memory", "/process_api/abc"},
                                     {"name=systemd", "/user.slice"},
                                     {"", "/"}});
}

CgroupRequest request(std::string path, std::string id = "ctr") {
    CgroupRequest result;
    result.cgroups_path = std::move(path);
    result.id = std::move(id);
    return result;
}

TEST(CleanPath, Cases) {
    EXPECT_EQ(clean_path("/a/./b/"), "/a/b");
    EXPECT_EQ(clean_path("/../../a"), "/a");
    EXPECT_EQ(clean_path("a/../../b"), "b");
    EXPECT_EQ(clean_path("a//b"), "a/b");
    EXPECT_EQ(clean_path("/"), "/");
    EXPECT_EQ(clean_path(".."), "");
    EXPECT_EQ(clean_path(""), "");
}

TEST(ResolvePaths, AbsoluteBelowMountPoints) {
    CgroupPaths paths = resolve_paths(hybrid_layout(), request("/docker/abc"));
    EXPECT_EQ(paths.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct/docker/abc");
    EXPECT_EQ(paths.at("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/docker/abc");
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory/docker/abc");
    EXPECT_EQ(paths.at("name=systemd"), "/sys/fs/cgroup/systemd/docker/abc");
    EXPECT_EQ(paths.at(""), "/sys/fs/cgroup/unified/docker/abc");
    EXPECT_EQ(paths.size(), 5u);
}

TEST(ResolvePaths, RelativeBelowOwnCgroup) {
    CgroupPaths paths = resolve_paths(hybrid_layout(), request("pod/ctr"));
    EXPECT_EQ(paths.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct/pod/ctr");
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory/process_api/abc/pod/ctr");
    EXPECT_EQ(paths.at("name=systemd"), "/sys/fs/cgroup/systemd/user.slice/pod/ctr");
}

TEST(ResolvePaths, DefaultIsIdBelowOwnCgroup) {
    CgroupPaths paths = resolve_paths(hybrid_layout(), request("", "web"));
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory/process_api/abc/web");
    EXPECT_EQ(paths.at(""), "/sys/fs/cgroup/unified/web");
}

TEST(ResolvePaths, DotDotCannotLeaveMountPoint) {
    CgroupPaths paths = resolve_paths(hybrid_layout(), request("/../../etc"));
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory/etc");
    paths = resolve_paths(hybrid_layout(), request("../../../x"));
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory/process_api/abc/x");
}

TEST(ResolvePaths, OwnCgroupBelowMountRoot) {
    // A cgroup namespace shows /docker/abc as the mount's root.
    Layout layout = make_layout({{"/sys/fs/cgroup/memory", "/docker/abc", {"memory"}, false}},
                                {{"memory", "/docker/abc/inner"}});
    CgroupPaths paths = resolve_paths(layout, request("ctr"));
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory/inner/ctr");
}

TEST(ResolvePaths, RootPathRejected) {
    EXPECT_THROW(resolve_paths(hybrid_layout(), request("/")), Error);
}

TEST(ResolvePaths, UnifiedRelativeBelowParentOfOwnCgroup) {
    Layout layout = make_layout({{"/sys/fs/cgroup", "/", {}, true}},
                                {{"", "/system.slice/containerd.service"}});
    EXPECT_EQ(resolve_paths(layout, request("k8s/ctr")).at(""),
              "/sys/fs/cgroup/system.slice/k8s/ctr");
    EXPECT_EQ(resolve_paths(layout, request("", "web")).at(""), "/sys/fs/cgroup/system.slice/web");
    EXPECT_EQ(resolve_paths(layout, request("/abs")).at(""), "/sys/fs/cgroup/abs");
}

TEST(ResolvePaths, UnifiedOwnCgroupAtRoot) {
    Layout layout = make_layout({{"/sys/fs/cgroup", "/", {}, true}}, {{"", "/"}});
    EXPECT_EQ(resolve_paths(layout, request("ctr")).at(""), "/sys/fs/cgroup/ctr");
}

TEST(ResolvePaths, SystemdScopeInEveryHierarchy) {
    CgroupRequest systemd = request("machine-libpod.slice:libpod:abc");
    systemd.systemd = true;
    CgroupPaths paths = resolve_paths(hybrid_layout(), systemd);
    const std::string cgroup = "/machine.slice/machine-libpod.slice/libpod-abc.scope";
    EXPECT_EQ(paths.at("memory"), "/sys/fs/cgroup/memory" + cgroup);
    EXPECT_EQ(paths.at("name=systemd"), "/sys/fs/cgroup/systemd" + cgroup);
    EXPECT_EQ(paths.at(""), "/sys/fs/cgroup/unified" + cgroup);
    EXPECT_EQ(paths.size(), 5u);
}

TEST(ResolvePaths, SystemdRejectsPlainPath) {
    CgroupRequest systemd = request("/docker/abc");
    systemd.systemd = true;
    try {
        resolve_paths(hybrid_layout(), systemd);
        FAIL() << "resolve_paths accepted a plain path for the systemd driver";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::invalid_spec);
        EXPECT_NE(std::string(error.what()).find("slice:prefix:name"), std::string::npos);
    }
}

TEST(RelativePaths, StripsMountPoints) {
    Layout layout = hybrid_layout();
    CgroupPaths paths = resolve_paths(layout, request("/docker/abc"));
    std::map<std::string, std::string> relative = relative_paths_in(layout, paths);
    EXPECT_EQ(relative.at("cpu"), "/docker/abc");
    EXPECT_EQ(relative.at(""), "/docker/abc");
    EXPECT_EQ(relative.size(), paths.size());
}

TEST(RelativePaths, LongestMountPointWins) {
    Layout layout = make_layout(
        {{"/sys/fs/cgroup", "/", {}, true}, {"/sys/fs/cgroup/memory", "/", {"memory"}, false}}, {});
    std::map<std::string, std::string> relative =
        relative_paths_in(layout, {{"memory", "/sys/fs/cgroup/memory/x"}});
    EXPECT_EQ(relative.at("memory"), "/x");
}

TEST(RelativePaths, OutsideEveryMountRejected) {
    EXPECT_THROW(relative_paths_in(hybrid_layout(), {{"cpu", "/tmp/x"}}), Error);
}

TEST(UniqueDirectories, CoMountedControllersShareOne) {
    CgroupPaths paths = resolve_paths(hybrid_layout(), request("/a"));
    EXPECT_EQ(unique_directories(paths).size(), 4u);
}

}  // namespace
}  // namespace ocirun::cgroups
