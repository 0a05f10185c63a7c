// Tests that run the ocirun binary: version, errors, log output and the state store commands.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/version.h"
#include "state/process_stat.h"
#include "state/state_store.h"

namespace ocirun::cli {
namespace {

struct Result {
    int status = -1;
    std::string out;
    std::string err;
};

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

// Runs `OCIRUN_BINARY ARGS` through the shell, capturing stdout and stderr in files of `dir`.
Result run_ocirun(const std::string& args, const std::string& dir) {
    std::string out = dir + "/stdout";
    std::string err = dir + "/stderr";
    std::string command = std::string(OCIRUN_BINARY) + " " + args + " >" + out + " 2>" + err;
    int status = std::system(command.c_str());
    Result result;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = read_file(out);
    result.err = read_file(err);
    return result;
}

class BinaryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = "/tmp/ocirun-cli-test.XXXXXX";
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        root_ = dir_ + "/root";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string dir_;
    std::string root_;
};

TEST_F(BinaryTest, VersionThreeLines) {
    Result result = run_ocirun("--version", dir_);
    EXPECT_EQ(result.status, 0);
    std::istringstream lines(result.out);
    std::string version, commit, spec, extra;
    ASSERT_TRUE(std::getline(lines, version));
    ASSERT_TRUE(std::getline(lines, commit));
    ASSERT_TRUE(std::getline(lines, spec));
    EXPECT_FALSE(std::getline(lines, extra)) << "a fourth line: " << extra;
    EXPECT_EQ(version, std::string("ocirun version ") + kVersion);
    // The binary may be built from another commit than this test, so only the form is checked.
    EXPECT_TRUE(commit.starts_with("commit: ")) << commit;
    EXPECT_GT(commit.size(), std::string("commit: ").size()) << commit;
    EXPECT_EQ(spec, "spec: 1.3.0");
    EXPECT_EQ(run_ocirun("-v", dir_).out, result.out);
}

TEST_F(BinaryTest, CheckpointHelpFails) {
    Result result = run_ocirun("checkpoint --help", dir_);
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(result.out, "");
}

TEST_F(BinaryTest, MissingContainerText) {
    Result result = run_ocirun("--root " + root_ + " state nope", dir_);
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("level=error msg=\"container \\\"nope\\\" does not exist\""),
              std::string::npos)
        << result.err;
}

TEST_F(BinaryTest, LogFileGetsJsonRecord) {
    std::string log = dir_ + "/log.json";
    Result result =
        run_ocirun("--root " + root_ + " --log " + log + " --log-format json state nope", dir_);
    EXPECT_EQ(result.status, 1);
    EXPECT_EQ(result.err, "container \"nope\" does not exist\n");
    std::string text = read_file(log);
    ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    nlohmann::json record = nlohmann::json::parse(text);
    EXPECT_EQ(record["level"], "error");
    EXPECT_EQ(record["msg"], "container \"nope\" does not exist");
}

TEST_F(BinaryTest, ExecFailureStatus255) {
    Result result = run_ocirun("--root " + root_ + " exec nope true", dir_);
    EXPECT_EQ(result.status, 255);
}

TEST_F(BinaryTest, EmptyList) {
    Result table = run_ocirun("--root " + root_ + " list", dir_);
    EXPECT_EQ(table.status, 0);
    EXPECT_EQ(table.out, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
    Result json = run_ocirun("--root " + root_ + " list --format json", dir_);
    EXPECT_EQ(json.status, 0);
    EXPECT_EQ(json.out, "null\n");
    Result quiet = run_ocirun("--root " + root_ + " list -q", dir_);
    EXPECT_EQ(quiet.out, "");
}

// Records a live child of the test as a container, then checks `state` and `list`.
TEST_F(BinaryTest, StateAndListOfLiveContainer) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    state::StateStore store(root_);
    {
        state::ContainerLock lock = store.create_container("c1");
        state::ContainerState container;
        container.id = "c1";
        container.bundle = "/bundles/c1";
        container.rootfs = "/bundles/c1/rootfs";
        container.pid = child;
        container.pid_start_time = state::read_process_stat(child)->start_time;
        container.created = "2026-12-04T17:03:12.198246774Z";
        container.owner = 0;
        store.save(container);
    }
    Result state_result = run_ocirun("--root " + root_ + " state c1", dir_);
    Result list_result = run_ocirun("--root " + root_ + " list", dir_);
    Result json_result = run_ocirun("--root=" + root_ + " list -f json", dir_);
    Result quiet_result = run_ocirun("-root " + root_ + " list -q", dir_);
    ::kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    Result stopped_result = run_ocirun("--root " + root_ + " state c1", dir_);

    EXPECT_EQ(state_result.status, 0) << state_result.err;
    std::string expected_state =
        "{\n"
        "  \"ociVersion\": \"1.3.0\",\n"
        "  \"id\": \"c1\",\n"
        "  \"pid\": " +
        std::to_string(child) +
        ",\n"
        "  \"status\": \"running\",\n"
        "  \"bundle\": \"/bundles/c1\",\n"
        "  \"rootfs\": \"/bundles/c1/rootfs\",\n"
        "  \"created\": \"2026-12-04T17:03:12.198246774Z\",\n"
        "  \"owner\": \"\"\n"
        "}";
    EXPECT_EQ(state_result.out, expected_state);

    std::string pid = std::to_string(child);
    std::string expected_list =
        "ID          PID         STATUS      BUNDLE        CREATED                          OWNER\n"
        "c1          " +
        pid + std::string(12 - pid.size(), ' ') +
        "running     /bundles/c1   2026-12-04T17:03:12.198246774Z   root\n";
    EXPECT_EQ(list_result.out, expected_list);

    nlohmann::json listed = nlohmann::json::parse(json_result.out);
    ASSERT_TRUE(listed.is_array());
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["id"], "c1");
    EXPECT_EQ(listed[0]["pid"], child);
    EXPECT_EQ(listed[0]["status"], "running");
    EXPECT_EQ(listed[0]["owner"], "root");
    EXPECT_EQ(quiet_result.out, "c1\n");

    nlohmann::json stopped = nlohmann::json::parse(stopped_result.out);
    EXPECT_EQ(stopped["status"], "stopped");
    EXPECT_EQ(stopped["pid"], 0);
}

}  // namespace
}  // namespace ocirun::cli
