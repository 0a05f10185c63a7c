#include "hooks/hooks.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace ocirun::hooks {
namespace {

class HooksTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char pattern[] = "/tmp/ocirun-hooks-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string read(const std::string& name) {
        std::ifstream file(dir + "/" + name);
        std::stringstream text;
        text << file.rdbuf();
        return text.str();
    }

    spec::Hook shell(const std::string& script) {
        spec::Hook hook;
        hook.path = "/bin/sh";
        hook.args = {"sh", "-c", script};
        return hook;
    }

    std::string dir;
};

TEST_F(HooksTest, StdinReceivesState) {
    run_hook(shell("cat > " + dir + "/state"), R"({"id":"c1"})");
    EXPECT_EQ(read("state"), R"({"id":"c1"})");
}

TEST_F(HooksTest, EnvAndArgsAreExact) {
    spec::Hook hook = shell("echo \"$0 $1\" > " + dir + "/args; env > " + dir + "/env");
    hook.args.push_back("zero");
    hook.args.push_back("one");
    hook.env = {"ONLY=1"};
    run_hook(hook, "{}");
    EXPECT_EQ(read("args"), "zero one\n");
    // sh adds PWD and similar on its own; the runtime must add nothing of its own such as PATH.
    std::string env = read("env");
    EXPECT_NE(env.find("ONLY=1\n"), std::string::npos) << env;
    EXPECT_EQ(env.find("PATH=/usr"), std::string::npos) << env;
}

TEST_F(HooksTest, FailureNamesStatusAndOutput) {
    try {
        run_hook(shell("echo oops >&2; exit 3"), "{}");
        FAIL() << "a failing hook succeeded";
    } catch (const Error& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("exit status 3"), std::string::npos) << message;
        EXPECT_NE(message.find("oops"), std::string::npos) << message;
    }
}

TEST_F(HooksTest, TimeoutKillsHook) {
    spec::Hook hook = shell("sleep 30");
    hook.timeout = 1;
    timespec before, after;
    clock_gettime(CLOCK_MONOTONIC, &before);
    try {
        run_hook(hook, "{}");
        FAIL() << "a hook outlived its timeout";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("timed out"), std::string::npos) << error.what();
    }
    clock_gettime(CLOCK_MONOTONIC, &after);
    EXPECT_LT(after.tv_sec - before.tv_sec, 5);
}

TEST_F(HooksTest, HookIgnoringStdinSucceeds) {
    EXPECT_NO_THROW(run_hook(shell("exit 0"), std::string(1 << 20, 'x')));
}

TEST_F(HooksTest, MissingProgramFails) {
    spec::Hook hook;
    hook.path = dir + "/missing";
    EXPECT_THROW(run_hook(hook, "{}"), Error);
}

TEST_F(HooksTest, RunHooksStopsAtFirstFailure) {
    std::vector<spec::Hook> list = {shell("exit 0"), shell("exit 1"),
                                    shell("touch " + dir + "/third")};
    try {
        run_hooks(list, "prestart", "{}");
        FAIL() << "run_hooks succeeded";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("prestart hook #1"), std::string::npos)
            << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir + "/third"));
}

TEST_F(HooksTest, LoggingFailuresRunsEveryHook) {
    std::vector<spec::Hook> list = {shell("exit 1"), shell("touch " + dir + "/second")};
    EXPECT_NO_THROW(run_hooks_logging_failures(list, "poststop", "{}"));
    EXPECT_TRUE(std::filesystem::exists(dir + "/second"));
}

}  // namespace
}  // namespace ocirun::hooks
