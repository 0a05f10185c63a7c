// Images that podman builds and saves, unpacked and run by ocirun and compared file by file
// with their source. The base image is imported from a tar of the busybox rootfs and a sample
// tree of every file kind. An image built on it removes and recreates files in a RUN step, so
// its top layer has whiteouts. podman keeps its store in the test's own directory (vfs driver).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"
#include "tree_compare.h"

namespace ocirun::testing {
namespace {

using Json = nlohmann::json;
using image::testing::compare_trees;
using image::testing::join_lines;
using image::testing::make_sample_tree;

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Returns podman's path, or "" when it is not installed; run_command does not search PATH.
std::string podman_path() {
    CommandResult result = run_command({"/bin/sh", "-c", "command -v podman"});
    if (result.status != 0 || result.out.empty()) {
        return "";
    }
    return result.out.substr(0, result.out.find('\n'));
}

// The RUN step deletes a file, a directory and a tree that it then recreates, and adds daemon
// to a new group, so the top layer has whiteouts and the user has a supplementary group.
constexpr const char* kContainerfile =
    "FROM localhost/ocirun-test-base:1\n"
    "RUN rm -rf /sample/etc/passwd /sample/usr/bin/tool-link /sample/var/lib "
    "/sample/etc/empty && mkdir -p /sample/var/lib/again && echo new > /sample/var/lib/again/f "
    "&& echo 'staff:x:50:daemon' >> /etc/group\n"
    "USER daemon\n"
    "WORKDIR /sample\n"
    "ENV GREETING=hello\n"
    "LABEL org.opencontainers.image.author=labelled\n"
    "STOPSIGNAL SIGINT\n"
    "ENTRYPOINT [\"/bin/sh\", \"-c\"]\n"
    "CMD [\"echo $GREETING; id; pwd; hostname\"]\n";

class ImagePodman : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string podman_binary = podman_path();
        if (geteuid() != 0 || podman_binary.empty()) {
            GTEST_SKIP() << "needs root and podman";
        }
        dir_ = make_temp_dir("ocirun-image-podman");
        state_ = dir_ + "/state";
        source_ = dir_ + "/source";
        podman_ = {podman_binary,
                   "--root",
                   dir_ + "/podman-root",
                   "--runroot",
                   dir_ + "/podman-run",
                   "--storage-driver",
                   "vfs",
                   "--events-backend",
                   "none"};
        shell("cp -a " + std::string(OCIRUN_ROOTFS) + " " + source_);
        make_sample_tree(source_ + "/sample");
        shell("tar --numeric-owner --xattrs --xattrs-include='*' -C " + source_ + " -cf " + dir_ +
              "/base.tar .");
        // ocirun rejects an image with neither Entrypoint nor Cmd, and import sets neither.
        podman({"import", "--change", "CMD [\"/bin/sh\"]", dir_ + "/base.tar",
                "localhost/ocirun-test-base:1"});
    }

    void TearDown() override {
        if (dir_.empty()) {
            return;
        }
        run_command({runtime_binary(), "--root", state_, "delete", "--force", "podman1"});
        // podman removes its own store, with any image mount a failed test left behind.
        std::vector<std::string> reset = podman_;
        reset.insert(reset.end(), {"system", "reset", "--force"});
        run_command(reset, 120000);
        std::filesystem::remove_all(dir_);
    }

    std::string shell(const std::string& script) const {
        CommandResult result = run_command({"/bin/sh", "-c", script}, 120000);
        EXPECT_EQ(result.status, 0) << script << ": " << result.err;
        return result.out;
    }

    std::string podman(const std::vector<std::string>& args) const {
        std::vector<std::string> argv = podman_;
        argv.insert(argv.end(), args.begin(), args.end());
        CommandResult result = run_command(argv, 300000);
        EXPECT_EQ(result.status, 0) << join(argv) << ": " << result.err;
        return result.out;
    }

    void build_derived_image() const {
        std::string context = dir_ + "/context";
        std::filesystem::create_directories(context);
        std::ofstream(context + "/Containerfile") << kContainerfile;
        // chroot isolation needs no OCI runtime, so the host's cgroup layout does not matter.
        podman({"build", "--isolation", "chroot", "-t", "localhost/ocirun-test-derived:1",
                context});
    }

    CommandResult ocirun(const std::vector<std::string>& args) const {
        std::vector<std::string> argv = {runtime_binary(), "--root", state_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(argv, 120000);
    }

    static std::string join(const std::vector<std::string>& argv) {
        std::string text;
        for (const std::string& arg : argv) {
            text += (text.empty() ? "" : " ") + arg;
        }
        return text;
    }

    std::string dir_;
    std::string state_;
    std::string source_;
    std::vector<std::string> podman_;
};

TEST_F(ImagePodman, ImportedTreeMatchesSource) {
    for (const char* format : {"oci-archive", "docker-archive", "oci-dir"}) {
        std::string saved = dir_ + "/base-" + format;
        podman({"save", "--format", format, "-o", saved, "localhost/ocirun-test-base:1"});
        std::string bundle = dir_ + "/bundle-" + format;
        CommandResult unpack = ocirun({"image", "unpack", saved, bundle});
        ASSERT_EQ(unpack.status, 0) << format << ": " << unpack.err;
        std::vector<std::string> differences = compare_trees(source_, bundle + "/rootfs");
        EXPECT_TRUE(differences.empty()) << format << ":\n" << join_lines(differences);
    }
}

TEST_F(ImagePodman, BuiltImageMatchesPodmanMount) {
    build_derived_image();
    std::string mounted = podman({"image", "mount", "localhost/ocirun-test-derived:1"});
    ASSERT_FALSE(mounted.empty());
    mounted.pop_back();
    for (const char* format : {"oci-archive", "docker-archive"}) {
        std::string saved = dir_ + "/derived-" + format;
        podman({"save", "--format", format, "-o", saved, "localhost/ocirun-test-derived:1"});
        std::string bundle = dir_ + "/bundle-" + format;
        CommandResult unpack = ocirun({"image", "unpack", saved + ":1", bundle});
        ASSERT_EQ(unpack.status, 0) << format << ": " << unpack.err;
        std::vector<std::string> differences = compare_trees(mounted, bundle + "/rootfs");
        EXPECT_TRUE(differences.empty()) << format << ":\n" << join_lines(differences);
        EXPECT_FALSE(path_exists(bundle + "/rootfs/sample/etc/passwd")) << format;
        EXPECT_FALSE(path_exists(bundle + "/rootfs/sample/var/lib/sparse")) << format;
        EXPECT_TRUE(path_exists(bundle + "/rootfs/sample/var/lib/again/f")) << format;
    }
    podman({"image", "unmount", "localhost/ocirun-test-derived:1"});
}

TEST_F(ImagePodman, BuiltImageConfigConverts) {
    build_derived_image();
    std::string saved = dir_ + "/derived.oci.tar";
    podman({"save", "--format", "oci-archive", "-o", saved, "localhost/ocirun-test-derived:1"});
    std::string bundle = dir_ + "/bundle";
    CommandResult unpack = ocirun({"image", "unpack", saved, bundle});
    ASSERT_EQ(unpack.status, 0) << unpack.err;

    Json config = Json::parse(read_file(bundle + "/config.json"));
    const Json& process = config["process"];
    EXPECT_EQ(process["args"], Json({"/bin/sh", "-c", "echo $GREETING; id; pwd; hostname"}));
    EXPECT_EQ(process["cwd"], "/sample");
    EXPECT_EQ(process["user"]["uid"], 1);
    EXPECT_EQ(process["user"]["gid"], 1);
    EXPECT_EQ(process["user"]["additionalGids"], Json({50}));
    EXPECT_NE(std::find(process["env"].begin(), process["env"].end(), "GREETING=hello"),
              process["env"].end());
    EXPECT_EQ(process["terminal"], false);
    EXPECT_EQ(config["root"]["readonly"], false);
    const Json& annotations = config["annotations"];
    EXPECT_EQ(annotations["org.opencontainers.image.os"], "linux");
    EXPECT_TRUE(annotations.contains("org.opencontainers.image.architecture"));
    EXPECT_TRUE(annotations.contains("org.opencontainers.image.created"));
    EXPECT_EQ(annotations["org.opencontainers.image.author"], "labelled");
    EXPECT_EQ(annotations["org.opencontainers.image.stopSignal"], "SIGINT");
}

TEST_F(ImagePodman, RunBuiltImageByTag) {
    build_derived_image();
    std::string saved = dir_ + "/derived.oci.tar";
    podman({"save", "--format", "oci-archive", "-o", saved, "localhost/ocirun-test-derived:1"});
    CommandResult run = ocirun({"run", "--image", saved + ":1", "podman1"});
    EXPECT_EQ(run.status, 0) << run.err;
    // additionalGids lists the groups that name the user as a member, not its primary group.
    EXPECT_EQ(run.out, "hello\nuid=1(daemon) gid=1(daemon) groups=50(staff)\n/sample\npodman1\n");
    EXPECT_FALSE(path_exists(state_ + "/.images/podman1"));
}

}  // namespace
}  // namespace ocirun::testing
