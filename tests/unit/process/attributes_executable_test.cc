// Tests of process::find_executable against files in a temporary directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/error.h"
#include "process/attributes.h"

namespace ocirun::process {
namespace {

class AttributesExecutable : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/ocirun-executable-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
        std::filesystem::create_directory(dir_ + "/bin");
        std::filesystem::create_directory(dir_ + "/sbin");
        write_file(dir_ + "/bin/tool", 0755);
        write_file(dir_ + "/bin/plain", 0644);
        write_file(dir_ + "/sbin/plain", 0755);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static void write_file(const std::string& path, mode_t mode) {
        std::ofstream(path) << "#!/bin/sh\n";
        chmod(path.c_str(), mode);
    }

    // Returns the message of the Error find_executable throws, or "" when it returns.
    static std::string lookup_error(const std::string& name, const std::string& path,
                                    int& error_number) {
        try {
            find_executable(name, {"HOME=/", "PATH=" + path});
        } catch (const Error& e) {
            error_number = e.error_number();
            return e.what();
        }
        return "";
    }

    std::string dir_;
};

TEST_F(AttributesExecutable, FindsNameOnPath) {
    const std::string path = dir_ + "/none:" + dir_ + "/bin";
    EXPECT_EQ(find_executable("tool", {"PATH=" + path}), dir_ + "/bin/tool");
}

TEST_F(AttributesExecutable, SkipsNonExecutableMatch) {
    const std::string path = dir_ + "/bin:" + dir_ + "/sbin";
    EXPECT_EQ(find_executable("plain", {"PATH=" + path}), dir_ + "/sbin/plain");
}

TEST_F(AttributesExecutable, NameWithSlashReturnedAsIs) {
    EXPECT_EQ(find_executable(dir_ + "/bin/tool", {}), dir_ + "/bin/tool");
}

TEST_F(AttributesExecutable, DefaultPathWithoutVariable) {
    EXPECT_EQ(find_executable("sh", {"HOME=/"}), "/usr/bin/sh");
}

TEST_F(AttributesExecutable, MissingOnPath) {
    int error_number = 0;
    EXPECT_EQ(lookup_error("nothere", dir_ + "/bin", error_number),
              "exec: \"nothere\": executable file not found in $PATH");
    EXPECT_EQ(error_number, ENOENT);
}

TEST_F(AttributesExecutable, MissingAbsolute) {
    int error_number = 0;
    const std::string name = dir_ + "/bin/nothere";
    EXPECT_EQ(lookup_error(name, "/bin", error_number),
              "exec: \"" + name + "\": stat " + name + ": no such file or directory");
    EXPECT_EQ(error_number, ENOENT);
}

TEST_F(AttributesExecutable, NotExecutableAbsolute) {
    int error_number = 0;
    const std::string name = dir_ + "/bin/plain";
    EXPECT_EQ(lookup_error(name, "/bin", error_number),
              "exec: \"" + name + "\": permission denied");
    EXPECT_EQ(error_number, EACCES);
}

TEST_F(AttributesExecutable, DirectoryIsNotExecutable) {
    int error_number = 0;
    const std::string name = dir_ + "/bin";
    EXPECT_EQ(lookup_error(name, "/bin", error_number),
              "exec: \"" + name + "\": permission denied");
    EXPECT_EQ(error_number, EACCES);
}

}  // namespace
}  // namespace ocirun::process
