#include "base/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ocirun {
namespace {

TEST(ReadFile, ReturnsWholeContents) {
    char path[] = "/tmp/ocirun-file-test.XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    // Larger than the 4096-byte read buffer, so that several reads are joined.
    std::string contents(10000, 'x');
    contents += "\nend\n";
    std::ofstream(path) << contents;

    std::optional<std::string> read = read_file(path);
    unlink(path);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, contents);
}

TEST(ReadFile, ReadsProcFile) {
    std::optional<std::string> read = read_file("/proc/self/stat");
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->substr(0, std::to_string(getpid()).size()), std::to_string(getpid()));
}

TEST(ReadFile, MissingFileSetsErrno) {
    errno = 0;
    EXPECT_FALSE(read_file("/nonexistent/ocirun-file-test").has_value());
    EXPECT_EQ(errno, ENOENT);
}

TEST(ReadFile, DirectorySetsErrno) {
    errno = 0;
    EXPECT_FALSE(read_file("/").has_value());
    EXPECT_EQ(errno, EISDIR);
}

}  // namespace
}  // namespace ocirun
