// Tests of unpacking whole images: layouts, references, platforms, digest and size checks,
// OCI archives and `docker save` input.
#include "image/unpack.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "base/error.h"
#include "image/platform.h"
#include "layout_writer.h"
#include "tree_compare.h"

namespace ocirun::image {
namespace {

using Json = nlohmann::json;
using testing::Compression;
using testing::Layer;
using testing::LayerBuilder;
using testing::TempDir;

Layer make_layer(LayerBuilder& builder, Compression compression = Compression::none) {
    std::string blob = builder.finish();
    return Layer{blob, builder.uncompressed(), compression};
}

Layer simple_layer(const std::string& name, const std::string& content,
                   Compression compression = Compression::none) {
    LayerBuilder builder(compression);
    builder.directory("etc").file("etc/" + name, content);
    return make_layer(builder, compression);
}

Json config_for(const std::vector<Layer>& layers, const Json& container_config) {
    std::vector<std::string> uncompressed;
    for (const Layer& layer : layers) {
        uncompressed.push_back(layer.uncompressed);
    }
    return testing::image_config(uncompressed, container_config);
}

std::string error_text(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

class UnpackTest : public ::testing::Test {
  protected:
    std::string layout() const { return dir_.path() + "/layout"; }
    std::string bundle() const { return dir_.path() + "/bundle"; }

    Json write_two_layer_layout() {
        std::vector<Layer> layers = {simple_layer("first", "1", Compression::gzip),
                                     simple_layer("second", "2", Compression::zstd)};
        return testing::write_layout(layout(), layers, config_for(layers, {{"Cmd", {"/bin/sh"}}}));
    }

    void unpack(const std::string& source, const std::string& reference = "") {
        UnpackOptions options;
        options.reference = reference;
        options.conversion.hostname = "test";
        unpack_image(source, bundle(), options);
    }

    TempDir dir_;
};

TEST_F(UnpackTest, WritesRootfsAndConfig) {
    write_two_layer_layout();
    unpack(layout());
    EXPECT_EQ(testing::read_text(bundle() + "/rootfs/etc/first"), "1");
    EXPECT_EQ(testing::read_text(bundle() + "/rootfs/etc/second"), "2");
    Json config = Json::parse(testing::read_text(bundle() + "/config.json"));
    EXPECT_EQ(config["process"]["args"], Json({"/bin/sh"}));
    EXPECT_EQ(config["hostname"], "test");
    EXPECT_EQ(config["annotations"]["org.opencontainers.image.architecture"],
              host_platform().architecture);
}

TEST_F(UnpackTest, ResolvesUserFromRootfs) {
    LayerBuilder builder;
    builder.directory("etc")
        .file("etc/passwd", "root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n")
        .file("etc/group", "root:x:0:\nweb:x:33:\nlogs:x:40:web\n");
    std::vector<Layer> layers = {make_layer(builder)};
    testing::write_layout(layout(), layers,
                          config_for(layers, {{"Cmd", {"/bin/sh"}}, {"User", "web"}}));
    unpack(layout());
    Json config = Json::parse(testing::read_text(bundle() + "/config.json"));
    EXPECT_EQ(config["process"]["user"]["uid"], 33);
    EXPECT_EQ(config["process"]["user"]["gid"], 33);
    EXPECT_EQ(config["process"]["user"]["additionalGids"], Json({40}));
}

TEST_F(UnpackTest, UnknownUserFailsAndCleansUp) {
    std::vector<Layer> layers = {simple_layer("a", "a")};
    testing::write_layout(layout(), layers,
                          config_for(layers, {{"Cmd", {"/bin/sh"}}, {"User", "ghost"}}));
    EXPECT_NE(error_text([&] { unpack(layout()); }).find("`ghost`"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(bundle()));
}

TEST_F(UnpackTest, DigestMismatchNamesBlob) {
    Json manifest = write_two_layer_layout();
    Json parsed = Json::parse(testing::read_text(layout() + "/blobs/sha256/" +
                                                 manifest["digest"].get<std::string>().substr(7)));
    std::string layer_digest = parsed["layers"][1]["digest"];
    std::string path = layout() + "/blobs/sha256/" + layer_digest.substr(7);
    std::string blob = testing::read_text(path);
    blob[blob.size() / 2] ^= 0x01;
    testing::write_text(path, blob);

    std::string message = error_text([&] { unpack(layout()); });
    EXPECT_NE(message.find(layer_digest), std::string::npos) << message;
    EXPECT_NE(message.find("digest mismatch"), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(bundle()));
}

TEST_F(UnpackTest, CorruptGzipWithValidDigestFails) {
    LayerBuilder builder(Compression::gzip);
    builder.file("big", std::string(200000, 'g'));
    Layer layer = make_layer(builder, Compression::gzip);
    // Damaged inside the deflate data, and the descriptor is written for the damaged bytes.
    layer.blob[layer.blob.size() / 2] ^= 0x55;
    std::vector<Layer> layers = {layer};
    testing::write_layout(layout(), layers, config_for(layers, {{"Cmd", {"/bin/sh"}}}));
    std::string message = error_text([&] { unpack(layout()); });
    EXPECT_NE(message.find("layer `sha256:"), std::string::npos) << message;
    EXPECT_EQ(message.find("digest mismatch"), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(bundle()));
}

TEST_F(UnpackTest, DigestMismatchInManifestFails) {
    Json manifest = write_two_layer_layout();
    std::string path =
        layout() + "/blobs/sha256/" + manifest["digest"].get<std::string>().substr(7);
    std::string text = testing::read_text(path);
    // Same size, still valid JSON ("schemaVersion":2 becomes 3), different bytes.
    ASSERT_EQ(text[text.size() - 2], '2');
    text[text.size() - 2] = '3';
    testing::write_text(path, text);
    std::string message = error_text([&] { unpack(layout()); });
    EXPECT_NE(message.find("digest mismatch"), std::string::npos) << message;
    EXPECT_NE(message.find(manifest["digest"].get<std::string>()), std::string::npos) << message;
}

TEST_F(UnpackTest, SizeMismatchFails) {
    std::vector<Layer> layers = {simple_layer("a", "a")};
    Json manifest =
        testing::write_layout(layout(), layers, config_for(layers, {{"Cmd", {"/bin/sh"}}}));
    // A manifest that gives the layer one byte less than it has.
    std::string manifest_path =
        layout() + "/blobs/sha256/" + manifest["digest"].get<std::string>().substr(7);
    Json parsed = Json::parse(testing::read_text(manifest_path));
    parsed["layers"][0]["size"] = parsed["layers"][0]["size"].get<std::uint64_t>() - 1;
    Json descriptor = testing::write_blob(layout(), manifest["mediaType"], parsed.dump());
    testing::write_text(layout() + "/index.json",
                        Json{{"schemaVersion", 2}, {"manifests", {descriptor}}}.dump());

    std::string message = error_text([&] { unpack(layout()); });
    EXPECT_NE(message.find("size mismatch"), std::string::npos) << message;
    EXPECT_NE(message.find(parsed["layers"][0]["digest"].get<std::string>()), std::string::npos)
        << message;
}

TEST_F(UnpackTest, PicksReferenceByTagAndDigest) {
    std::vector<Layer> one = {simple_layer("one", "1")};
    std::vector<Layer> two = {simple_layer("two", "2")};
    Json first = testing::write_layout(layout(), one, config_for(one, {{"Cmd", {"a"}}}), "v1");
    Json second = testing::write_layout(layout() + "-2", two, config_for(two, {{"Cmd", {"b"}}}),
                                        "localhost/app:v2");
    std::filesystem::copy(
        layout() + "-2/blobs", layout() + "/blobs",
        std::filesystem::copy_options::recursive | std::filesystem::copy_options::skip_existing);
    testing::write_text(layout() + "/index.json",
                        Json{{"schemaVersion", 2}, {"manifests", {first, second}}}.dump());

    std::string message = error_text([&] { unpack(layout()); });
    EXPECT_NE(message.find("pick one"), std::string::npos) << message;
    EXPECT_NE(message.find("localhost/app:v2"), std::string::npos) << message;

    unpack(layout(), "v2");
    EXPECT_TRUE(std::filesystem::exists(bundle() + "/rootfs/etc/two"));
    std::filesystem::remove_all(bundle());
    unpack(layout(), first["digest"]);
    EXPECT_TRUE(std::filesystem::exists(bundle() + "/rootfs/etc/one"));
    std::filesystem::remove_all(bundle());
    EXPECT_NE(error_text([&] { unpack(layout(), "v3"); }).find("not found"), std::string::npos);
}

TEST_F(UnpackTest, IndexPicksHostPlatform) {
    std::vector<Layer> native = {simple_layer("native", "n")};
    Json manifest = testing::write_layout(layout(), native, config_for(native, {{"Cmd", {"x"}}}));
    Json foreign_manifest = manifest;
    foreign_manifest["platform"] = {{"os", "linux"}, {"architecture", "foreignarch"}};
    Json native_manifest = manifest;
    native_manifest["platform"] = {{"os", "linux"}, {"architecture", host_platform().architecture}};
    native_manifest.erase("annotations");
    foreign_manifest.erase("annotations");
    Json nested = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.index.v1+json"},
                   {"manifests", {foreign_manifest, native_manifest}}};
    Json nested_descriptor =
        testing::write_blob(layout(), "application/vnd.oci.image.index.v1+json", nested.dump());
    nested_descriptor["annotations"] = {{"org.opencontainers.image.ref.name", "multi"}};
    testing::write_text(layout() + "/index.json",
                        Json{{"schemaVersion", 2}, {"manifests", {nested_descriptor}}}.dump());
    unpack(layout(), "multi");
    EXPECT_TRUE(std::filesystem::exists(bundle() + "/rootfs/etc/native"));
}

TEST_F(UnpackTest, ForeignArchitectureNamesBoth) {
    std::vector<Layer> layers = {simple_layer("a", "a")};
    Json config = config_for(layers, {{"Cmd", {"x"}}});
    config["architecture"] = "foreignarch";
    testing::write_layout(layout(), layers, config);
    std::string message = error_text([&] { unpack(layout()); });
    EXPECT_NE(message.find("linux/foreignarch"), std::string::npos) << message;
    EXPECT_NE(message.find("linux/" + host_platform().architecture), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(bundle()));
}

TEST_F(UnpackTest, ReadsOciArchive) {
    write_two_layer_layout();
    std::string archive = dir_.path() + "/image.tar";
    std::string command = "tar -C " + layout() + " -cf " + archive + " .";
    ASSERT_EQ(std::system(command.c_str()), 0);
    unpack(archive, "latest");
    EXPECT_EQ(testing::read_text(bundle() + "/rootfs/etc/second"), "2");
}

TEST_F(UnpackTest, ReadsDockerSave) {
    std::vector<Layer> layers = {simple_layer("base", "b"), simple_layer("top", "t")};
    std::string save = dir_.path() + "/save";
    std::filesystem::create_directories(save);
    testing::write_docker_save(save, layers, config_for(layers, {{"Cmd", {"/bin/true"}}}),
                               "example.com/app:1.0");
    unpack(save, "1.0");
    EXPECT_EQ(testing::read_text(bundle() + "/rootfs/etc/top"), "t");
    std::filesystem::remove_all(bundle());

    std::string archive = dir_.path() + "/save.tar";
    std::string command = "tar -C " + save + " -cf " + archive + " .";
    ASSERT_EQ(std::system(command.c_str()), 0);
    unpack(archive, "example.com/app:1.0");
    EXPECT_EQ(testing::read_text(bundle() + "/rootfs/etc/base"), "b");
}

// Writes a `docker save` archive of `layers` whose member `link` is a symlink to `target`
// in place of the layer tar written there, and returns the archive's path.
std::string docker_save_with_link(const std::string& dir, const std::vector<Layer>& layers,
                                  const std::string& link, const std::string& target) {
    std::string save = dir + "/save";
    std::filesystem::create_directories(save);
    testing::write_docker_save(save, layers, config_for(layers, {{"Cmd", {"/bin/true"}}}), "app:1");
    std::filesystem::remove(save + "/" + link);
    std::filesystem::create_symlink(target, save + "/" + link);
    std::string archive = dir + "/save.tar";
    std::string command = "tar -C " + save + " -cf " + archive + " .";
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error(command + " failed");
    }
    return archive;
}

TEST_F(UnpackTest, DockerSaveFollowsLayerSymlinks) {
    // The same layer twice, as docker save writes it: the second copy is a symlink.
    std::vector<Layer> layers = {simple_layer("base", "b"), simple_layer("base", "b")};
    std::string archive =
        docker_save_with_link(dir_.path(), layers, "layer1/layer.tar", "../layer0/layer.tar");
    unpack(archive, "app:1");
    EXPECT_EQ(testing::read_text(bundle() + "/rootfs/etc/base"), "b");
}

TEST_F(UnpackTest, ArchiveSymlinkLoopFails) {
    std::vector<Layer> layers = {simple_layer("base", "b")};
    std::string archive =
        docker_save_with_link(dir_.path(), layers, "layer0/layer.tar", "layer.tar");
    std::string message = error_text([&] { unpack(archive); });
    EXPECT_NE(message.find("layer0/layer.tar"), std::string::npos) << message;
    EXPECT_NE(message.find("not found"), std::string::npos) << message;
}

TEST_F(UnpackTest, DockerSaveChecksDiffIds) {
    std::vector<Layer> layers = {simple_layer("base", "b")};
    std::string save = dir_.path() + "/save";
    std::filesystem::create_directories(save);
    testing::write_docker_save(save, layers, config_for(layers, {{"Cmd", {"/bin/true"}}}), "app:1");
    std::string layer_path = save + "/layer0/layer.tar";
    std::string tar = testing::read_text(layer_path);
    tar[600] ^= 0x01;
    testing::write_text(layer_path, tar);
    EXPECT_NE(error_text([&] { unpack(save); }).find("digest mismatch"), std::string::npos);
}

TEST_F(UnpackTest, RejectsNonEmptyBundle) {
    write_two_layer_layout();
    std::filesystem::create_directories(bundle());
    testing::write_text(bundle() + "/keep", "x");
    EXPECT_THROW(unpack(layout()), Error);
    EXPECT_TRUE(std::filesystem::exists(bundle() + "/keep"));
}

TEST_F(UnpackTest, CopiesTreeFaithfully) {
    std::string source = dir_.path() + "/source";
    testing::make_sample_tree(source);
    LayerBuilder builder(Compression::gzip);
    builder.tree(source);
    std::vector<Layer> layers = {make_layer(builder, Compression::gzip)};
    testing::write_layout(layout(), layers, config_for(layers, {{"Cmd", {"/bin/sh"}}}));
    unpack(layout());
    std::vector<std::string> differences = testing::compare_trees(source, bundle() + "/rootfs");
    EXPECT_TRUE(differences.empty()) << testing::join_lines(differences);
}

// /var/db is a volume inside the volume /var: its content goes to its own directory, and the
// outer volume keeps an empty mount point for it. The link /data resolves inside the rootfs.
TEST_F(UnpackTest, VolumesMoveIntoBundle) {
    LayerBuilder builder;
    builder.directory("var").file("var/top", "t").owner(70, 71).directory("var/db", 0750);
    builder.file("var/db/rows", "r").owner(0, 0).symlink("data", "/../srv/data");
    std::vector<Layer> layers = {make_layer(builder)};
    Json volumes = {
        {"/var", Json::object()}, {"/var/db", Json::object()}, {"/data", Json::object()}};
    testing::write_layout(layout(), layers,
                          config_for(layers, {{"Cmd", {"/bin/sh"}}, {"Volumes", volumes}}));
    unpack(layout());

    Json mounts = Json::parse(testing::read_text(bundle() + "/config.json"))["mounts"];
    std::vector<std::string> destinations;
    for (const Json& mount : mounts) {
        destinations.push_back(mount["destination"]);
    }
    std::vector<std::string> last(destinations.end() - 3, destinations.end());
    EXPECT_EQ(last, (std::vector<std::string>{"/data", "/var", "/var/db"}));
    EXPECT_EQ(mounts.back()["source"], "volumes/2");
    EXPECT_EQ(testing::read_text(bundle() + "/volumes/1/top"), "t");
    EXPECT_EQ(testing::read_text(bundle() + "/volumes/2/rows"), "r");
    EXPECT_TRUE(std::filesystem::is_empty(bundle() + "/volumes/1/db"));
    EXPECT_TRUE(std::filesystem::is_empty(bundle() + "/volumes/0"));
    EXPECT_TRUE(std::filesystem::is_empty(bundle() + "/rootfs/var"));
    // The link stays, and its target inside the rootfs became the mount point.
    EXPECT_TRUE(std::filesystem::is_symlink(bundle() + "/rootfs/data"));
    EXPECT_TRUE(std::filesystem::is_directory(bundle() + "/rootfs/srv/data"));

    struct stat mount_point {};
    ASSERT_EQ(::stat((bundle() + "/volumes/1/db").c_str(), &mount_point), 0);
    EXPECT_EQ(mount_point.st_uid, 70U);
    EXPECT_EQ(mount_point.st_gid, 71U);
    EXPECT_EQ(mount_point.st_mode & 07777, 0750U);
}

TEST_F(UnpackTest, VolumeOnFileFailsAndCleansUp) {
    std::vector<Layer> layers = {simple_layer("hosts", "h")};
    testing::write_layout(
        layout(), layers,
        config_for(layers, {{"Cmd", {"/bin/sh"}}, {"Volumes", {{"/etc/hosts", Json::object()}}}}));
    std::string error = error_text([&] { unpack(layout()); });
    EXPECT_NE(error.find("`/etc/hosts` is not a directory"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(bundle()));
}

TEST(SplitImageReference, SplitsTagsAndDigests) {
    std::string source;
    std::string reference;
    split_image_reference("/no/such/layout:v1", source, reference);
    EXPECT_EQ(source, "/no/such/layout");
    EXPECT_EQ(reference, "v1");
    std::string digest = "sha256:" + std::string(64, 'a');
    split_image_reference("/no/such/layout@" + digest, source, reference);
    EXPECT_EQ(source, "/no/such/layout");
    EXPECT_EQ(reference, digest);
    split_image_reference("/tmp", source, reference);
    EXPECT_EQ(source, "/tmp");
    EXPECT_EQ(reference, "");
    split_image_reference("relative/dir", source, reference);
    EXPECT_EQ(source, "relative/dir");
    EXPECT_EQ(reference, "");
}

}  // namespace
}  // namespace ocirun::image
