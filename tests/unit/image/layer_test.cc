// Tests of applying layers: file types and metadata, whiteouts, opaque directories,
// compression, and layers crafted to write outside the rootfs.
#include "image/layer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "base/error.h"
#include "layout_writer.h"
#include "tree_compare.h"

namespace ocirun::image {
namespace {

using testing::Compression;
using testing::LayerBuilder;
using testing::TempDir;

class StringStream : public ByteStream {
  public:
    explicit StringStream(std::string data) : data_(std::move(data)) {}
    std::size_t read(char* buffer, std::size_t size) override {
        std::size_t count = std::min(size, data_.size() - offset_);
        std::memcpy(buffer, data_.data() + offset_, count);
        offset_ += count;
        return count;
    }

  private:
    std::string data_;
    std::size_t offset_ = 0;
};

class LayerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        root_ = dir_.path() + "/rootfs";
        outside_ = dir_.path() + "/outside";
        ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
        ASSERT_EQ(mkdir(outside_.c_str(), 0755), 0);
        testing::write_text(outside_ + "/secret", "host data");
        root_fd_ = open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_GE(root_fd_, 0);
    }
    void TearDown() override { close(root_fd_); }

    void apply(LayerBuilder& layer) {
        StringStream stream(layer.finish());
        apply_layer(root_fd_, stream, "test-layer");
    }

    bool exists(const std::string& relative) const {
        struct stat info {};
        return lstat((root_ + "/" + relative).c_str(), &info) == 0;
    }

    // True when the directory outside the rootfs still holds only its one file, unchanged.
    bool outside_untouched() const {
        std::size_t count = 0;
        for (const auto& entry : std::filesystem::directory_iterator(outside_)) {
            (void)entry;
            ++count;
        }
        struct stat info {};
        lstat((outside_ + "/secret").c_str(), &info);
        return count == 1 && testing::read_text(outside_ + "/secret") == "host data" &&
               info.st_nlink == 1;
    }

    TempDir dir_;
    std::string root_;
    std::string outside_;
    int root_fd_ = -1;
};

TEST_F(LayerTest, WritesFileTypes) {
    LayerBuilder layer;
    layer.directory("etc")
        .file("etc/hosts", "127.0.0.1 localhost\n", 0640)
        .file("bin/tool", "#!/bin/sh\n", 04755)
        .symlink("etc/link", "hosts")
        .hardlink("etc/hosts2", "etc/hosts")
        .fifo("run-fifo");
    apply(layer);

    struct stat info {};
    ASSERT_EQ(lstat((root_ + "/etc/hosts").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0640u);
    EXPECT_EQ(info.st_nlink, 2u);
    EXPECT_EQ(testing::read_text(root_ + "/etc/hosts"), "127.0.0.1 localhost\n");
    ASSERT_EQ(lstat((root_ + "/bin/tool").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 04755u);
    EXPECT_EQ(std::filesystem::read_symlink(root_ + "/etc/link"), "hosts");
    ASSERT_EQ(lstat((root_ + "/run-fifo").c_str(), &info), 0);
    EXPECT_TRUE(S_ISFIFO(info.st_mode));
}

TEST_F(LayerTest, KeepsMtimesAndXattrs) {
    LayerBuilder layer;
    layer.mtime(1600000000, 123456789)
        .directory("data", 0700)
        .file("data/file", "x", 0600, {{"user.origin", "layer"}})
        .symlink("data/link", "file");
    apply(layer);

    struct stat info {};
    ASSERT_EQ(lstat((root_ + "/data/file").c_str(), &info), 0);
    EXPECT_EQ(info.st_mtim.tv_sec, 1600000000);
    EXPECT_EQ(info.st_mtim.tv_nsec, 123456789);
    ASSERT_EQ(lstat((root_ + "/data").c_str(), &info), 0);
    EXPECT_EQ(info.st_mtim.tv_sec, 1600000000) << "directory mtime changed by its entries";
    ASSERT_EQ(lstat((root_ + "/data/link").c_str(), &info), 0);
    EXPECT_EQ(info.st_mtim.tv_sec, 1600000000);
    char value[16] = {};
    ssize_t size = getxattr((root_ + "/data/file").c_str(), "user.origin", value, sizeof(value));
    if (size < 0 && errno == ENOTSUP) {
        GTEST_SKIP() << "no user xattrs on this filesystem";
    }
    EXPECT_EQ(std::string(value, size > 0 ? size : 0), "layer");
}

TEST_F(LayerTest, KeepsOwnersAndDevices) {
    if (geteuid() != 0) {
        GTEST_SKIP() << "needs root for chown and mknod";
    }
    LayerBuilder layer;
    layer.owner(1234, 5678)
        .file("owned", "x")
        .device("null", false, 1, 3)
        .device("loop", true, 7, 0);
    apply(layer);

    struct stat info {};
    ASSERT_EQ(lstat((root_ + "/owned").c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 1234u);
    EXPECT_EQ(info.st_gid, 5678u);
    ASSERT_EQ(lstat((root_ + "/null").c_str(), &info), 0);
    EXPECT_TRUE(S_ISCHR(info.st_mode));
    EXPECT_EQ(info.st_rdev, makedev(1, 3));
    ASSERT_EQ(lstat((root_ + "/loop").c_str(), &info), 0);
    EXPECT_TRUE(S_ISBLK(info.st_mode));
    EXPECT_EQ(info.st_mode & 07777, 0660u);
}

TEST_F(LayerTest, AppliesCompressedLayers) {
    for (Compression compression : {Compression::gzip, Compression::zstd}) {
        LayerBuilder layer(compression);
        std::string name = compression == Compression::gzip ? "gz" : "zst";
        layer.file(name, std::string(100000, 'z'));
        apply(layer);
        EXPECT_EQ(testing::read_text(root_ + "/" + name), std::string(100000, 'z'));
    }
}

TEST_F(LayerTest, WhiteoutRemovesEntries) {
    LayerBuilder lower;
    lower.file("a/keep", "k").file("a/gone", "g").directory("tree").file("tree/deep", "d");
    apply(lower);
    LayerBuilder upper;
    upper.file("a/.wh.gone", "").file(".wh.tree", "");
    apply(upper);

    EXPECT_TRUE(exists("a/keep"));
    EXPECT_FALSE(exists("a/gone"));
    EXPECT_FALSE(exists("a/.wh.gone"));
    EXPECT_FALSE(exists("tree"));
    EXPECT_FALSE(exists(".wh.tree"));
}

TEST_F(LayerTest, OpaqueDirectoryHidesLowerEntries) {
    LayerBuilder lower;
    lower.file("d/old", "o").file("d/sub/old", "o").file("other", "x");
    apply(lower);
    LayerBuilder upper;
    // Same-layer entries before the marker stay, whichever order a tool wrote them in.
    upper.directory("d").file("d/new", "n").directory("d/sub").file("d/.wh..wh..opq", "");
    upper.file("d/after", "a");
    apply(upper);

    EXPECT_TRUE(exists("d/new"));
    EXPECT_TRUE(exists("d/after"));
    EXPECT_TRUE(exists("d/sub"));
    EXPECT_FALSE(exists("d/old"));
    EXPECT_FALSE(exists("d/sub/old"));
    EXPECT_FALSE(exists("d/.wh..wh..opq"));
    EXPECT_TRUE(exists("other"));
}

TEST_F(LayerTest, WhiteoutSparesSameLayerEntry) {
    LayerBuilder lower;
    lower.file("lower", "l");
    apply(lower);
    LayerBuilder upper;
    upper.file("mine", "m").file(".wh.mine", "").file(".wh.lower", "");
    apply(upper);
    EXPECT_TRUE(exists("mine"));
    EXPECT_FALSE(exists("lower"));
}

TEST_F(LayerTest, OpaqueKeepsImpliedParents) {
    LayerBuilder lower;
    lower.file("d/sub/old", "o");
    apply(lower);
    LayerBuilder upper;
    // No entry for d/sub itself: a tar may list only the files below it.
    upper.file("d/sub/new", "n").file("d/.wh..wh..opq", "");
    apply(upper);
    EXPECT_TRUE(exists("d/sub/new"));
    EXPECT_FALSE(exists("d/sub/old"));
}

TEST_F(LayerTest, LaterLayerReplacesTypes) {
    LayerBuilder lower;
    lower.file("x/file", "f").file("y", "plain");
    apply(lower);
    LayerBuilder upper;
    upper.file("x", "now a file").directory("y");
    apply(upper);
    EXPECT_EQ(testing::read_text(root_ + "/x"), "now a file");
    EXPECT_TRUE(std::filesystem::is_directory(root_ + "/y"));
}

TEST_F(LayerTest, AbsolutePathStaysInside) {
    LayerBuilder layer;
    layer.file(outside_ + "/secret", "overwritten").file("/abs", "a");
    apply(layer);
    EXPECT_TRUE(outside_untouched());
    EXPECT_EQ(testing::read_text(root_ + outside_ + "/secret"), "overwritten");
    EXPECT_TRUE(exists("abs"));
}

TEST_F(LayerTest, DotDotStaysInside) {
    LayerBuilder layer;
    layer.file("../../../../../../" + outside_ + "/secret", "overwritten")
        .file("a/../../escape", "e");
    apply(layer);
    EXPECT_TRUE(outside_untouched());
    EXPECT_TRUE(exists("escape"));
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/escape"));
}

TEST_F(LayerTest, SymlinkParentStaysInside) {
    LayerBuilder layer;
    layer.symlink("link", outside_).file("link/secret", "overwritten").file("link/new", "n");
    layer.symlink("rel", "../../../../../../../" + outside_).file("rel/other", "o");
    apply(layer);
    EXPECT_TRUE(outside_untouched());
    EXPECT_EQ(testing::read_text(root_ + outside_ + "/secret"), "overwritten");
    EXPECT_TRUE(exists(outside_.substr(1) + "/other"));
}

TEST_F(LayerTest, SymlinkEntryIsNotFollowed) {
    LayerBuilder lower;
    lower.symlink("target", outside_ + "/secret");
    apply(lower);
    LayerBuilder upper;
    upper.file("target", "overwritten");
    apply(upper);
    EXPECT_TRUE(outside_untouched());
    EXPECT_EQ(testing::read_text(root_ + "/target"), "overwritten");
}

TEST_F(LayerTest, HardlinkToOutsideIsConfined) {
    LayerBuilder layer;
    layer.hardlink("stolen", "../../../../../../" + outside_ + "/secret");
    EXPECT_THROW(apply(layer), Error);
    EXPECT_TRUE(outside_untouched());
    EXPECT_FALSE(exists("stolen"));
}

TEST_F(LayerTest, HardlinkThroughSymlinkIsConfined) {
    LayerBuilder layer;
    layer.symlink("link", outside_).hardlink("stolen", "link/secret");
    EXPECT_THROW(apply(layer), Error);
    EXPECT_TRUE(outside_untouched());
}

TEST_F(LayerTest, HardlinkToSymlinkLinksTheSymlink) {
    LayerBuilder layer;
    layer.symlink("s", outside_ + "/secret").hardlink("h", "s");
    apply(layer);
    EXPECT_TRUE(outside_untouched());
    struct stat info {};
    ASSERT_EQ(lstat((root_ + "/h").c_str(), &info), 0);
    EXPECT_TRUE(S_ISLNK(info.st_mode));
    EXPECT_EQ(info.st_nlink, 2u);
}

TEST_F(LayerTest, DirectoryReplacedBySymlinkIsConfined) {
    LayerBuilder first;
    first.directory("d").file("d/inside", "i");
    apply(first);
    LayerBuilder second;
    second.symlink("d", outside_);
    apply(second);
    LayerBuilder third;
    third.file("d/secret", "overwritten").file("d/planted", "p");
    apply(third);
    EXPECT_TRUE(outside_untouched());
    EXPECT_EQ(testing::read_text(root_ + outside_ + "/secret"), "overwritten");
}

TEST_F(LayerTest, WhiteoutThroughSymlinkIsConfined) {
    LayerBuilder layer;
    layer.symlink("link", outside_).file("link/.wh.secret", "").file("link/.wh..wh..opq", "");
    apply(layer);
    EXPECT_TRUE(outside_untouched());
}

TEST_F(LayerTest, WhiteoutOfParentIsRejected) {
    testing::write_text(dir_.path() + "/sibling", "bundle file");
    testing::write_text(root_ + "/kept", "k");
    for (std::string whiteout : {".wh...", ".wh..", "sub/.wh...", "sub/.wh.."}) {
        LayerBuilder layer;
        layer.directory("sub").file("sub/inside", "i").file(whiteout, "");
        EXPECT_THROW(apply(layer), Error) << whiteout;
        EXPECT_TRUE(outside_untouched()) << whiteout;
        EXPECT_EQ(testing::read_text(dir_.path() + "/sibling"), "bundle file") << whiteout;
        EXPECT_TRUE(exists("kept")) << whiteout;
        EXPECT_TRUE(exists("sub/inside")) << whiteout;
    }
}

TEST_F(LayerTest, CopiesTreeFaithfully) {
    std::string source = dir_.path() + "/source";
    testing::make_sample_tree(source);
    LayerBuilder layer;
    layer.tree(source);
    apply(layer);
    std::vector<std::string> differences = testing::compare_trees(source, root_);
    EXPECT_TRUE(differences.empty()) << testing::join_lines(differences);
}

TEST_F(LayerTest, CorruptTarFails) {
    StringStream stream(std::string(1024, 'x'));
    EXPECT_THROW(apply_layer(root_fd_, stream, "garbage"), Error);
}

}  // namespace
}  // namespace ocirun::image
