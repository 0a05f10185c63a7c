// Tests of path resolution and creation with the rootfs as `/`.
#include "rootfs/safe_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/error.h"
#include "namespace_child.h"

namespace ocirun::rootfs {
namespace {

class SafePath : public ::testing::Test {
  protected:
    void SetUp() override {
        root_fd_ = Fd(::open(temp_.rootfs().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        ASSERT_TRUE(root_fd_.valid());
        std::filesystem::create_directories(root() + "/usr/lib");
        std::filesystem::create_symlink("usr/lib", root() + "/lib");
        std::filesystem::create_symlink("/etc/../../../outside", root() + "/abs");
        std::filesystem::create_symlink("loop2", root() + "/loop1");
        std::filesystem::create_symlink("loop1", root() + "/loop2");
    }

    std::string root() const { return temp_.rootfs(); }

    testing::TempRootfs temp_;
    Fd root_fd_;
};

TEST(CleanPath, Normalizes) {
    EXPECT_EQ(clean_path(""), "/");
    EXPECT_EQ(clean_path("a/./b//c/"), "/a/b/c");
    EXPECT_EQ(clean_path("/../../x/../y"), "/y");
}

TEST_F(SafePath, ResolvesRelativeSymlink) {
    EXPECT_EQ(resolve_in_root(root_fd_.get(), "/lib/x/y"), "/usr/lib/x/y");
}

TEST_F(SafePath, AbsoluteSymlinkStaysInRoot) {
    EXPECT_EQ(resolve_in_root(root_fd_.get(), "/abs/z"), "/outside/z");
    EXPECT_EQ(resolve_in_root(root_fd_.get(), "/../../abs"), "/outside");
}

TEST_F(SafePath, SymlinkLoopFails) {
    try {
        resolve_in_root(root_fd_.get(), "/loop1/x");
        FAIL() << "a symlink loop resolved";
    } catch (const Error& error) {
        EXPECT_EQ(error.error_number(), ELOOP);
    }
}

TEST_F(SafePath, MakesDirectoriesInside) {
    Fd directory = make_path_in_root(root_fd_.get(), "/abs/new/dir", NodeKind::directory);
    EXPECT_TRUE(directory.valid());
    EXPECT_TRUE(std::filesystem::is_directory(root() + "/outside/new/dir"));
    struct stat status {};
    ASSERT_EQ(::stat((root() + "/outside/new").c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0755U);
}

TEST_F(SafePath, MakesEmptyFile) {
    make_path_in_root(root_fd_.get(), "/lib/conf/file", NodeKind::file);
    EXPECT_TRUE(std::filesystem::is_regular_file(root() + "/usr/lib/conf/file"));
    EXPECT_EQ(std::filesystem::file_size(root() + "/usr/lib/conf/file"), 0U);
}

TEST_F(SafePath, OpenMissingReturnsInvalid) {
    EXPECT_FALSE(open_in_root_if_exists(root_fd_.get(), "/nothing", O_PATH).valid());
    EXPECT_TRUE(open_in_root_if_exists(root_fd_.get(), "/lib", O_PATH).valid());
}

TEST_F(SafePath, ParentKeepsFinalName) {
    std::string name;
    Fd parent = make_parent_in_root(root_fd_.get(), "/lib/dev/null", name);
    EXPECT_TRUE(parent.valid());
    EXPECT_EQ(name, "null");
    EXPECT_TRUE(std::filesystem::is_directory(root() + "/usr/lib/dev"));
}

TEST_F(SafePath, ResolvesPlainPathAsWritten) {
    EXPECT_EQ(resolve_in_root(root_fd_.get(), "/usr//lib/"), "/usr/lib");
    EXPECT_EQ(resolve_in_root(root_fd_.get(), "/usr/missing/lib"), "/usr/missing/lib");
}

TEST_F(SafePath, DotDotAfterSymlinkFollowsTarget) {
    // "/lib/.." is "/usr" because /lib is a symlink to usr/lib. A lexical clean gives "/".
    EXPECT_EQ(resolve_in_root(root_fd_.get(), "/lib/../x"), "/usr/x");
}

TEST_F(SafePath, MakesBelowDeepestExisting) {
    Fd directory = make_path_in_root(root_fd_.get(), "/usr/lib/a/b", NodeKind::directory);
    EXPECT_TRUE(directory.valid());
    EXPECT_TRUE(std::filesystem::is_directory(root() + "/usr/lib/a/b"));
    struct stat status {};
    ASSERT_EQ(::stat((root() + "/usr/lib/a").c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 07777, 0755U);
}

TEST_F(SafePath, ExistingPathOpensSameNode) {
    Fd directory = make_path_in_root(root_fd_.get(), "/usr/lib", NodeKind::directory);
    ASSERT_TRUE(directory.valid());
    struct stat opened {};
    struct stat expected {};
    ASSERT_EQ(::fstat(directory.get(), &opened), 0);
    ASSERT_EQ(::stat((root() + "/usr/lib").c_str(), &expected), 0);
    EXPECT_EQ(opened.st_ino, expected.st_ino);
}

TEST_F(SafePath, ResolvedPathWithSymlinkFails) {
    EXPECT_THROW(make_resolved_path_in_root(root_fd_.get(), "/lib/x", NodeKind::directory), Error);
    EXPECT_FALSE(std::filesystem::exists(root() + "/usr/lib/x"));
}

TEST_F(SafePath, FileWhereDirectoryBelongsFails) {
    make_path_in_root(root_fd_.get(), "/etc/file", NodeKind::file);
    EXPECT_THROW(make_path_in_root(root_fd_.get(), "/etc/file", NodeKind::directory), Error);
    EXPECT_THROW(make_path_in_root(root_fd_.get(), "/etc/file/sub", NodeKind::directory), Error);
}

TEST_F(SafePath, ResolvedPathKeepsOpenedNode) {
    ResolvedPath existing = resolve_path_in_root(root_fd_.get(), "/usr//lib");
    EXPECT_EQ(existing.path, "/usr/lib");
    EXPECT_TRUE(existing.node.valid());
    EXPECT_FALSE(existing.missing);

    ResolvedPath missing = resolve_path_in_root(root_fd_.get(), "/usr/lib/new/dir");
    EXPECT_EQ(missing.path, "/usr/lib/new/dir");
    EXPECT_FALSE(missing.node.valid());
    EXPECT_TRUE(missing.missing);

    // A path through a symlink is resolved component by component and keeps no node.
    ResolvedPath linked = resolve_path_in_root(root_fd_.get(), "/lib/x");
    EXPECT_EQ(linked.path, "/usr/lib/x");
    EXPECT_FALSE(linked.node.valid());
    EXPECT_FALSE(linked.missing);
}

TEST_F(SafePath, MakesFromResolvedPath) {
    Fd existing = make_resolved_path_in_root(
        root_fd_.get(), resolve_path_in_root(root_fd_.get(), "/usr/lib"), NodeKind::directory);
    struct stat opened {};
    struct stat expected {};
    ASSERT_EQ(::fstat(existing.get(), &opened), 0);
    ASSERT_EQ(::stat((root() + "/usr/lib").c_str(), &expected), 0);
    EXPECT_EQ(opened.st_ino, expected.st_ino);

    Fd created = make_resolved_path_in_root(root_fd_.get(),
                                            resolve_path_in_root(root_fd_.get(), "/lib/made/here"),
                                            NodeKind::directory);
    EXPECT_TRUE(created.valid());
    EXPECT_TRUE(std::filesystem::is_directory(root() + "/usr/lib/made/here"));

    Fd file = make_resolved_path_in_root(
        root_fd_.get(), resolve_path_in_root(root_fd_.get(), "/etc/conf"), NodeKind::file);
    EXPECT_TRUE(file.valid());
    EXPECT_TRUE(std::filesystem::is_regular_file(root() + "/etc/conf"));
}

TEST_F(SafePath, ResolvedFileWhereDirectoryBelongsFails) {
    make_path_in_root(root_fd_.get(), "/etc/file", NodeKind::file);
    ResolvedPath resolved = resolve_path_in_root(root_fd_.get(), "/etc/file");
    ASSERT_TRUE(resolved.node.valid());
    EXPECT_THROW(
        make_resolved_path_in_root(root_fd_.get(), std::move(resolved), NodeKind::directory),
        Error);
}

}  // namespace
}  // namespace ocirun::rootfs
