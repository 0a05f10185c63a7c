// `features` as the binary prints it, and the NOTIFY_SOCKET relay of create, start and run:
// the container's READY=1 reaches the caller's socket before the runtime returns.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "harness.h"

namespace ocirun::testing {
namespace {

const std::string kSchema = std::string(OCIRUN_SOURCE_DIR) +
                            "/../shared/reference/runtime-spec/schema/features-schema.json";
const std::string kValidator =
    std::string(OCIRUN_SOURCE_DIR) + "/tests/tools/validate-json-schema.py";

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

TEST(Features, BinaryOutputMatchesSchema) {
    std::string dir = make_temp_dir("ocirun-features");
    CommandResult result = run_command({runtime_binary(), "features"});
    ASSERT_EQ(result.status, 0) << result.err;
    nlohmann::json features = nlohmann::json::parse(result.out);
    EXPECT_EQ(features["ociVersionMin"], "1.0.0");
    EXPECT_TRUE(features["linux"]["seccomp"]["enabled"].get<bool>());
    std::ofstream(dir + "/features.json") << result.out;
    CommandResult validation =
        run_command({"/usr/bin/python3", kValidator, kSchema, dir + "/features.json"});
    EXPECT_EQ(validation.status, 0) << validation.out << validation.err;
    std::filesystem::remove_all(dir);
}

TEST(Features, RejectsArguments) {
    CommandResult result = run_command({runtime_binary(), "features", "extra"});
    EXPECT_NE(result.status, 0);
}

// Binds the caller's notify socket, as systemd or podman would, and points NOTIFY_SOCKET of
// the runtimes this test starts at it.
class NotifySocketTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = make_temp_dir("ocirun-notify");
        path_ = dir_ + "/caller.sock";
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ASSERT_GE(fd_, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        path_.copy(address.sun_path, path_.size());
        ASSERT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
        setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    }

    void TearDown() override {
        unsetenv("NOTIFY_SOCKET");
        close(fd_);
        std::filesystem::remove_all(dir_);
    }

    // Returns the next datagram already queued on the caller's socket, without waiting.
    std::optional<std::string> queued_message() const {
        char buffer[4096];
        ssize_t count = recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
        if (count < 0) {
            return std::nullopt;
        }
        return std::string(buffer, static_cast<size_t>(count));
    }

    // A container whose shell runs `script` with the sd-notify helper at /tmp/helpers and a
    // tmpfs at /run, so that the read-only shared rootfs needs no /run/notify of its own.
    static void configure(TestContainer& container) {
        nlohmann::json& mounts = container.config["mounts"];
        mounts.push_back({{"destination", "/run"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
        mounts.push_back({{"destination", "/tmp/helpers"},
                          {"type", "bind"},
                          {"source", helpers_dir()},
                          {"options", {"bind", "ro"}}});
    }

    std::string dir_;
    std::string path_;
    int fd_ = -1;
};

TEST_F(NotifySocketTest, StartReturnsAfterReady) {
    TestContainer container(
        {"/bin/sh", "-c", "sleep 1; /tmp/helpers/sd-notify READY=1 || exit 3; sleep 30"});
    configure(container);
    CommandResult created = container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    std::string socket_dir = container.state_dir() + "/notify";
    EXPECT_TRUE(path_exists(socket_dir));
    EXPECT_FALSE(path_exists(socket_dir + "/notify.sock"));
    int pid = container.state()["pid"].get<int>();

    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    std::string environment = read_file("/proc/" + std::to_string(pid) + "/environ");
    EXPECT_NE(environment.find(std::string("NOTIFY_SOCKET=/run/notify/notify.sock") + '\0'),
              std::string::npos);
    // The container sends READY=1 a second after it starts. Finding it queued the moment
    // `start` returned shows that start waited for it.
    std::optional<std::string> ready = queued_message();
    ASSERT_TRUE(ready.has_value()) << "start returned before the container sent READY=1";
    EXPECT_EQ(*ready, "READY=1\n");
    std::optional<std::string> main_pid = queued_message();
    ASSERT_TRUE(main_pid.has_value());
    EXPECT_EQ(*main_pid, "MAINPID=" + std::to_string(pid) + "\n");
    EXPECT_EQ(container.status(), "running");
    EXPECT_TRUE(path_exists(socket_dir + "/notify.sock"));

    CommandResult deleted = container.ocirun({"delete", "--force", container.id()});
    ASSERT_EQ(deleted.status, 0) << deleted.err;
    EXPECT_FALSE(path_exists(socket_dir + "/notify.sock"));
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST_F(NotifySocketTest, OnlyReadyLineForwarded) {
    TestContainer container({"/bin/sh", "-c",
                             "/tmp/helpers/sd-notify STATUS=starting && "
                             "/tmp/helpers/sd-notify \"$(printf 'READY=1\\nSTATUS=up')\" && "
                             "sleep 30"});
    configure(container);
    ASSERT_EQ(container.create().status, 0);
    CommandResult started = container.ocirun({"start", container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    std::optional<std::string> ready = queued_message();
    ASSERT_TRUE(ready.has_value());
    EXPECT_EQ(*ready, "READY=1\n");
    std::optional<std::string> main_pid = queued_message();
    ASSERT_TRUE(main_pid.has_value());
    EXPECT_EQ(main_pid->rfind("MAINPID=", 0), 0U) << *main_pid;
    EXPECT_FALSE(queued_message().has_value());
}

TEST_F(NotifySocketTest, StartReturnsWhenContainerExits) {
    TestContainer container({"/bin/true"});
    configure(container);
    ASSERT_EQ(container.create().status, 0);
    CommandResult started = container.ocirun({"start", container.id()});
    EXPECT_EQ(started.status, 0) << started.err;
    EXPECT_FALSE(queued_message().has_value());
}

TEST_F(NotifySocketTest, DetachedRunRelaysReady) {
    TestContainer container({"/bin/sh", "-c", "/tmp/helpers/sd-notify READY=1; sleep 30"});
    configure(container);
    CommandResult result = container.run({"--detach"});
    ASSERT_EQ(result.status, 0) << result.err;
    std::optional<std::string> ready = queued_message();
    ASSERT_TRUE(ready.has_value());
    EXPECT_EQ(*ready, "READY=1\n");
    int pid = container.state()["pid"].get<int>();
    EXPECT_EQ(queued_message(), "MAINPID=" + std::to_string(pid) + "\n");
}

// In the foreground the runtime stays until the container exits, so MAINPID names the runtime
// rather than the container's init.
TEST_F(NotifySocketTest, ForegroundRunRelaysReady) {
    TestContainer container({"/bin/sh", "-c", "/tmp/helpers/sd-notify READY=1 && exit 5"});
    configure(container);
    CommandResult result = container.run();
    EXPECT_EQ(result.status, 5) << result.err;
    std::optional<std::string> ready = queued_message();
    ASSERT_TRUE(ready.has_value());
    EXPECT_EQ(*ready, "READY=1\n");
    std::optional<std::string> main_pid = queued_message();
    ASSERT_TRUE(main_pid.has_value());
    EXPECT_EQ(main_pid->rfind("MAINPID=", 0), 0U) << *main_pid;
    EXPECT_FALSE(path_exists(container.state_dir()));
}

TEST_F(NotifySocketTest, UnreachableCallerFailsStart) {
    TestContainer container({"/bin/sh", "-c", "sleep 30"});
    configure(container);
    ASSERT_EQ(container.create().status, 0);
    setenv("NOTIFY_SOCKET", (dir_ + "/missing.sock").c_str(), 1);
    CommandResult started = container.ocirun({"start", container.id()});
    EXPECT_NE(started.status, 0);
    EXPECT_NE(started.err.find("missing.sock"), std::string::npos) << started.err;
    // The connection is tried before init is released, so the failed start has no effect.
    EXPECT_EQ(container.status(), "created");
}

}  // namespace
}  // namespace ocirun::testing
