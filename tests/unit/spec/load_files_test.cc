// Loading real configs: manager fixtures, the runtime-spec schema tests and error prefixes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "spec/parse.h"

namespace ocirun::spec {
namespace {

namespace fs = std::filesystem;

const fs::path kSharedDir = fs::path(OCIRUN_SOURCE_DIR) / ".." / "shared";
const fs::path kSchemaTestDir =
    kSharedDir / "reference" / "runtime-spec" / "schema" / "test" / "config";

std::vector<fs::path> files_in(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file()) {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

bool is_linux_relevant(const fs::path& file) {
    std::string name = file.filename().string();
    return !name.starts_with("freebsd-") && !name.starts_with("zos-");
}

std::string load_error(const std::string& path) {
    try {
        load_config(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded without error)";
}

TEST(LoadFixtures, ManagerConfigsParse) {
    int configs = 0;
    int processes = 0;
    for (const fs::path& file : files_in(kSharedDir / "fixtures" / "configs")) {
        SCOPED_TRACE(file.string());
        if (file.filename().string().ends_with("process.json")) {
            Process process = load_process(file.string());
            EXPECT_FALSE(process.args.empty());
            ++processes;
        } else {
            Spec spec = load_config(file.string());
            EXPECT_NO_THROW(validate_for_create(spec));
            ASSERT_TRUE(spec.linux_config.has_value());
            EXPECT_TRUE(spec.linux_config->has_namespace(NamespaceType::mount));
            ++configs;
        }
    }
    EXPECT_GT(configs, 0);
    EXPECT_GT(processes, 0);
}

TEST(LoadFixtures, SchemaGoodConfigsParse) {
    int parsed = 0;
    for (const fs::path& file : files_in(kSchemaTestDir / "good")) {
        if (is_linux_relevant(file)) {
            SCOPED_TRACE(file.string());
            EXPECT_NO_THROW(load_config(file.string()));
            ++parsed;
        }
    }
    EXPECT_GE(parsed, 5);
}

// Each Linux-relevant bad config with the start of the message it must produce.
TEST(LoadFixtures, SchemaBadConfigsRejected) {
    const std::map<std::string, std::string> expected = {
        {"invalid-json.json", "invalid JSON: parse error at line 1, column 2"},
        {"linux-hugepage.json",
         "linux.resources.hugepageLimits[0].pageSize: invalid hugepage size \"64kB\""},
        {"linux-netdevice.json", "linux.netDevices.eth0.name: expected a string, got 23"},
        {"linux-rdma.json",
         "linux.resources.rdma.mlx5_1.hcaHandles: expected an unsigned 32-bit integer, got "
         "\"not a uint32\""},
    };
    int rejected = 0;
    for (const fs::path& file : files_in(kSchemaTestDir / "bad")) {
        if (!is_linux_relevant(file)) {
            continue;
        }
        SCOPED_TRACE(file.string());
        auto it = expected.find(file.filename().string());
        ASSERT_NE(it, expected.end()) << "no expected message for this bad config";
        std::string message = load_error(file.string());
        EXPECT_TRUE(message.starts_with(file.string() + ": " + it->second)) << message;
        ++rejected;
    }
    EXPECT_EQ(rejected, static_cast<int>(expected.size()));
}

class LoadConfigFile : public testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/ocirun-spec-test-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& content) {
        std::string path = (dir_ / name).string();
        std::ofstream(path) << content;
        return path;
    }

    fs::path dir_;
};

TEST_F(LoadConfigFile, FieldErrorPrefixedWithPath) {
    std::string path = write("config.json", R"({"ociVersion": "1.3.0", "process": {"cwd": "/",
        "rlimits": [{"type": "RLIMIT_CPU", "soft": 1, "hard": 1},
                    {"type": "RLIMIT_FOO", "soft": 1, "hard": 1}]}})");
    try {
        load_config(path);
        FAIL() << "load_config accepted RLIMIT_FOO";
    } catch (const Error& e) {
        EXPECT_EQ(e.what(), path + ": process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
        EXPECT_EQ(e.kind(), ErrorKind::invalid_spec);
    }
}

TEST_F(LoadConfigFile, SyntaxErrorPrefixedWithPath) {
    std::string path = write("config.json", "{\"ociVersion\": \"1.3.0\",\n}");
    try {
        load_config(path);
        FAIL() << "load_config accepted a trailing comma";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_TRUE(message.starts_with(path + ": invalid JSON: parse error at line 2, column 1"))
            << message;
        EXPECT_EQ(message.find("[json.exception"), std::string::npos) << message;
        EXPECT_EQ(e.kind(), ErrorKind::invalid_spec);
    }
}

TEST_F(LoadConfigFile, MissingFileIsNotFound) {
    std::string path = (dir_ / "config.json").string();
    try {
        load_config(path);
        FAIL() << "load_config read a missing file";
    } catch (const Error& e) {
        EXPECT_EQ(e.what(), "open `" + path + "`: no such file or directory");
        EXPECT_EQ(e.kind(), ErrorKind::not_found);
    }
}

TEST_F(LoadConfigFile, ProcessJsonErrorPrefixedWithPath) {
    std::string path = write("process.json", R"({"cwd": "relative", "args": ["sh"]})");
    try {
        load_process(path);
        FAIL() << "load_process accepted a relative cwd";
    } catch (const Error& e) {
        EXPECT_EQ(e.what(), path + ": cwd: must be an absolute path, got \"relative\"");
    }
}

TEST_F(LoadConfigFile, RelativePathKeptAsGiven) {
    write("config.json", R"({"ociVersion": 1})");
    fs::path previous = fs::current_path();
    fs::current_path(dir_);
    std::string message = load_error("config.json");
    fs::current_path(previous);
    EXPECT_EQ(message, "config.json: ociVersion: expected a string, got 1");
}

}  // namespace
}  // namespace ocirun::spec
