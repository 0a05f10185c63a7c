// `image unpack`, `run --image` and `create --image` through the ocirun binary, on images
// built from the busybox test rootfs with GNU tar, as an OCI layout, an OCI archive and a
// `docker save` archive.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace ocirun::testing {
namespace {

using Json = nlohmann::json;

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::trunc);
    file << text;
}

std::string sh(const std::string& script) {
    CommandResult result = run_command({"/bin/sh", "-c", script}, 60000);
    if (result.status != 0) {
        throw std::runtime_error(script + ": " + result.err);
    }
    return result.out;
}

std::string sha256_of(const std::string& path) {
    return "sha256:" + sh("sha256sum " + path + " | cut -d' ' -f1").substr(0, 64);
}

Json descriptor_of(const std::string& media_type, const std::string& path) {
    return {{"mediaType", media_type},
            {"digest", sha256_of(path)},
            {"size", std::filesystem::file_size(path)}};
}

std::string host_architecture() {
    std::string machine = sh("uname -m");
    machine.pop_back();
    if (machine == "x86_64") {
        return "amd64";
    }
    if (machine == "aarch64") {
        return "arm64";
    }
    return machine;
}

// A scratch directory with an image of the busybox rootfs and a state root.
class ImageCli : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = make_temp_dir("ocirun-image");
        root_ = dir_ + "/state";
        layer_ = dir_ + "/layer.tar";
        sh("tar --numeric-owner --xattrs -C " + std::string(OCIRUN_ROOTFS) + " -cf " + layer_ +
           " .");
    }
    void TearDown() override {
        for (const char* id : {"img1", "img2", "img3"}) {
            run_command({runtime_binary(), "--root", root_, "delete", "--force", id});
        }
        std::filesystem::remove_all(dir_);
    }

    Json image_config(const std::string& architecture = "") const {
        Json config = {{"Cmd", {"/bin/sh", "-c", "echo $GREETING from $(hostname) in $(pwd)"}},
                       {"Env", {"GREETING=hello"}},
                       {"WorkingDir", "/tmp"},
                       {"User", "daemon"}};
        config.update(config_overrides_);
        return {{"architecture", architecture.empty() ? host_architecture() : architecture},
                {"os", "linux"},
                {"config", config},
                {"rootfs", {{"type", "layers"}, {"diff_ids", {sha256_of(layer_)}}}}};
    }

    // Writes an OCI layout of the busybox rootfs (one gzip layer) to `layout` tagged "v1".
    void write_layout(const std::string& layout, const std::string& architecture = "") const {
        std::filesystem::create_directories(layout + "/blobs/sha256");
        auto add_blob = [&](const std::string& path) {
            std::string digest = sha256_of(path);
            std::filesystem::copy_file(path, layout + "/blobs/sha256/" + digest.substr(7));
            return digest;
        };
        sh("gzip -n -c " + layer_ + " > " + dir_ + "/layer.tar.gz");
        std::string config_path = dir_ + "/config.json";
        write_file(config_path, image_config(architecture).dump());
        Json manifest = {
            {"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
            {"config", descriptor_of("application/vnd.oci.image.config.v1+json", config_path)},
            {"layers",
             {descriptor_of("application/vnd.oci.image.layer.v1.tar+gzip",
                            dir_ + "/layer.tar.gz")}}};
        add_blob(config_path);
        add_blob(dir_ + "/layer.tar.gz");
        std::string manifest_path = dir_ + "/manifest.json";
        write_file(manifest_path, manifest.dump());
        add_blob(manifest_path);
        Json entry = descriptor_of("application/vnd.oci.image.manifest.v1+json", manifest_path);
        entry["annotations"] = {{"org.opencontainers.image.ref.name", "v1"}};
        write_file(layout + "/index.json",
                   Json{{"schemaVersion", 2}, {"manifests", {entry}}}.dump());
        write_file(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    }

    // Writes a `docker save` archive of the same image to `archive`.
    void write_docker_save(const std::string& archive) const {
        std::string save = dir_ + "/save";
        std::filesystem::create_directories(save + "/abc");
        std::string config_text = image_config().dump();
        write_file(dir_ + "/docker-config.json", config_text);
        std::string config_name = sha256_of(dir_ + "/docker-config.json").substr(7) + ".json";
        write_file(save + "/" + config_name, config_text);
        std::filesystem::copy_file(layer_, save + "/abc/layer.tar");
        Json manifest = Json::array({{{"Config", config_name},
                                      {"RepoTags", {"busybox:test"}},
                                      {"Layers", {"abc/layer.tar"}}}});
        write_file(save + "/manifest.json", manifest.dump());
        sh("tar -C " + save + " -cf " + archive + " .");
    }

    CommandResult ocirun(const std::vector<std::string>& args) const {
        std::vector<std::string> argv = {runtime_binary(), "--root", root_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(argv, 60000);
    }

    std::string dir_;
    std::string root_;
    std::string layer_;
    // Fields that replace those of image_config()'s Config.
    Json config_overrides_ = Json::object();
};

TEST_F(ImageCli, UnpackThenRunBundle) {
    write_layout(dir_ + "/layout");
    std::string bundle = dir_ + "/box";
    CommandResult unpack = ocirun({"image", "unpack", "--ref", "v1", dir_ + "/layout", bundle});
    ASSERT_EQ(unpack.status, 0) << unpack.err;

    std::string differences =
        run_command({"diff", "-r", "--no-dereference", OCIRUN_ROOTFS, bundle + "/rootfs"}).out;
    EXPECT_EQ(differences, "");
    Json config = Json::parse(read_file(bundle + "/config.json"));
    EXPECT_EQ(config["process"]["user"]["uid"], 1);

    CommandResult run = ocirun({"run", "--bundle", bundle, "img1"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "hello from box in /tmp\n");
}

// /etc exists in the image and moves into the bundle with its files, /srv does not and starts
// empty. What the container writes there lands in the bundle, not in the rootfs.
TEST_F(ImageCli, VolumesAreBundleDirectories) {
    config_overrides_ = {
        {"Volumes", {{"/srv/", Json::object()}, {"/etc", Json::object()}}},
        {"User", "root"},
        {"Cmd", {"/bin/sh", "-c", "head -n 1 /etc/passwd; echo written > /srv/new"}}};
    write_layout(dir_ + "/layout");
    std::string bundle = dir_ + "/box";
    CommandResult unpack = ocirun({"image", "unpack", "--ref", "v1", dir_ + "/layout", bundle});
    ASSERT_EQ(unpack.status, 0) << unpack.err;

    Json mounts = Json::parse(read_file(bundle + "/config.json"))["mounts"];
    ASSERT_GE(mounts.size(), 2U);
    Json etc_mount = mounts[mounts.size() - 2];
    Json srv_mount = mounts.back();
    EXPECT_EQ(etc_mount["destination"], "/etc");
    EXPECT_EQ(etc_mount["source"], "volumes/0");
    EXPECT_EQ(etc_mount["type"], "bind");
    EXPECT_EQ(srv_mount["destination"], "/srv");
    EXPECT_EQ(srv_mount["source"], "volumes/1");
    EXPECT_EQ(read_file(bundle + "/volumes/0/passwd"),
              read_file(std::string(OCIRUN_ROOTFS) + "/etc/passwd"));
    EXPECT_TRUE(std::filesystem::is_empty(bundle + "/rootfs/etc"));
    EXPECT_EQ(std::filesystem::status(bundle + "/rootfs/etc").permissions(),
              std::filesystem::status(std::string(OCIRUN_ROOTFS) + "/etc").permissions());
    EXPECT_TRUE(std::filesystem::is_empty(bundle + "/volumes/1"));

    CommandResult run = ocirun({"run", "--bundle", bundle, "img1"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "root:x:0:0:root:/root:/bin/sh\n");
    EXPECT_EQ(read_file(bundle + "/volumes/1/new"), "written\n");
    EXPECT_FALSE(path_exists(bundle + "/rootfs/srv/new"));
}

TEST_F(ImageCli, RunImageRemovesItsBundle) {
    write_layout(dir_ + "/layout");
    CommandResult run = ocirun({"run", "--image", dir_ + "/layout:v1", "img1"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "hello from img1 in /tmp\n");
    EXPECT_FALSE(path_exists(root_ + "/.images/img1"));
    EXPECT_FALSE(path_exists(root_ + "/img1"));
}

TEST_F(ImageCli, CreateImageKeepsBundleUntilDelete) {
    write_layout(dir_ + "/layout");
    std::string archive = dir_ + "/image.tar";
    sh("tar -C " + dir_ + "/layout -cf " + archive + " .");
    CommandResult create = ocirun({"create", "--image", archive, "img2"});
    ASSERT_EQ(create.status, 0) << create.err;
    Json state = Json::parse(ocirun({"state", "img2"}).out);
    EXPECT_EQ(state["bundle"], root_ + "/.images/img2");
    EXPECT_TRUE(path_exists(root_ + "/.images/img2/rootfs/bin/busybox"));

    CommandResult again = ocirun({"create", "--image", archive, "img2"});
    EXPECT_NE(again.status, 0);
    EXPECT_TRUE(path_exists(root_ + "/.images/img2/rootfs/bin/busybox"))
        << "a second create with the id removed the first one's rootfs";

    CommandResult list = ocirun({"list", "-q"});
    EXPECT_EQ(list.out, "img2\n") << list.err;
    CommandResult remove = ocirun({"delete", "--force", "img2"});
    EXPECT_EQ(remove.status, 0) << remove.err;
    EXPECT_FALSE(path_exists(root_ + "/.images/img2"));
}

TEST_F(ImageCli, RunDockerSaveArchive) {
    std::string archive = dir_ + "/docker.tar";
    write_docker_save(archive);
    CommandResult run = ocirun({"run", "--image", archive + ":test", "img3"});
    EXPECT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "hello from img3 in /tmp\n");
}

TEST_F(ImageCli, ForeignImageNamesBothArchitectures) {
    write_layout(dir_ + "/layout", "foreignarch");
    CommandResult run = ocirun({"run", "--image", dir_ + "/layout", "img1"});
    EXPECT_NE(run.status, 0);
    EXPECT_NE(run.err.find("linux/foreignarch"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("linux/" + host_architecture()), std::string::npos) << run.err;
    EXPECT_FALSE(path_exists(root_ + "/.images/img1"));
}

TEST_F(ImageCli, ImageExcludesBundle) {
    write_layout(dir_ + "/layout");
    CommandResult run = ocirun({"run", "--image", dir_ + "/layout", "--bundle", dir_, "img1"});
    EXPECT_NE(run.status, 0);
    EXPECT_NE(run.err.find("--bundle"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ocirun::testing
