#include "process/sync_protocol.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace ocirun::process {
namespace {

class SyncPair : public ::testing::Test {
  protected:
    void SetUp() override { std::tie(runtime_fd, child_fd) = make_sync_socket_pair(); }
    void TearDown() override {
        if (runtime_fd >= 0) {
            close(runtime_fd);
        }
        if (child_fd >= 0) {
            close(child_fd);
        }
    }
    int runtime_fd = -1;
    int child_fd = -1;
};

TEST(SyncFrame, RoundTripKeepsFields) {
    SyncFrame frame{SyncMessage::error, ENOENT, ErrorKind::not_found, "open `/x`: missing"};
    SyncFrame decoded = decode_sync_frame(encode_sync_frame(frame));
    EXPECT_EQ(decoded.type, SyncMessage::error);
    EXPECT_EQ(decoded.error_number, ENOENT);
    EXPECT_EQ(decoded.kind, ErrorKind::not_found);
    EXPECT_EQ(decoded.payload, "open `/x`: missing");
}

TEST(SyncFrame, ShortFrameIsRejected) {
    EXPECT_THROW(decode_sync_frame("abc"), Error);
}

TEST(SyncFrame, UnknownTypeIsRejected) {
    SyncFrame frame{SyncMessage::ready, 0, ErrorKind::generic, ""};
    std::string bytes = encode_sync_frame(frame);
    bytes[0] = 99;
    EXPECT_THROW(decode_sync_frame(bytes), Error);
}

TEST(SyncFrame, LongPayloadIsTruncated) {
    SyncFrame frame{SyncMessage::warning, 0, ErrorKind::generic,
                    std::string(kMaxSyncPayload + 10, 'x')};
    EXPECT_EQ(decode_sync_frame(encode_sync_frame(frame)).payload.size(), kMaxSyncPayload);
}

TEST_F(SyncPair, MessagesKeepBoundaries) {
    SyncSocket child(child_fd);
    child.send(SyncMessage::init_pid, "42");
    child.send(SyncMessage::ready);
    SyncSocket runtime(runtime_fd);
    SyncFrame first = runtime.receive();
    EXPECT_EQ(first.type, SyncMessage::init_pid);
    EXPECT_EQ(first.payload, "42");
    SyncFrame second = runtime.receive();
    EXPECT_EQ(second.type, SyncMessage::ready);
    EXPECT_EQ(second.payload, "");
}

TEST_F(SyncPair, MaxPayloadThenShortMessage) {
    SyncSocket child(child_fd);
    std::string long_payload(kMaxSyncPayload, 'y');
    long_payload.front() = 'a';
    long_payload.back() = 'z';
    child.send(SyncMessage::hooks_done, long_payload);
    child.send(SyncMessage::init_pid, "7");
    SyncSocket runtime(runtime_fd);
    SyncFrame first = runtime.receive();
    EXPECT_EQ(first.type, SyncMessage::hooks_done);
    EXPECT_EQ(first.payload.size(), kMaxSyncPayload);
    EXPECT_EQ(first.payload, long_payload);
    SyncFrame second = runtime.receive();
    EXPECT_EQ(second.type, SyncMessage::init_pid);
    EXPECT_EQ(second.payload, "7");
}

TEST_F(SyncPair, ExpectSkipsWarnings) {
    SyncSocket child(child_fd);
    child.send_warning("capability CAP_FOO unknown");
    child.send(SyncMessage::run_hooks);
    EXPECT_EQ(SyncSocket(runtime_fd).expect(SyncMessage::run_hooks).type, SyncMessage::run_hooks);
}

TEST_F(SyncPair, ExpectThrowsChildError) {
    SyncSocket(child_fd).send_error(Error("sethostname: operation not permitted", EPERM));
    try {
        SyncSocket(runtime_fd).expect(SyncMessage::ready);
        FAIL() << "expect returned";
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(), "sethostname: operation not permitted");
        EXPECT_EQ(error.error_number(), EPERM);
    }
}

TEST_F(SyncPair, ExpectRejectsOtherType) {
    SyncSocket(child_fd).send(SyncMessage::init_pid, "1");
    EXPECT_THROW(SyncSocket(runtime_fd).expect(SyncMessage::ready), Error);
}

TEST_F(SyncPair, ClosedPeerIsAnError) {
    close(child_fd);
    child_fd = -1;
    try {
        SyncSocket(runtime_fd).receive();
        FAIL() << "receive returned";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("exited"), std::string::npos) << error.what();
    }
}

TEST_F(SyncPair, AttachedFdArrives) {
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    SyncSocket(child_fd).send_with_fd(SyncMessage::terminal, pipe_fds[1]);
    close(pipe_fds[1]);
    terminal::UniqueFd attached;
    SyncFrame frame = SyncSocket(runtime_fd).receive(&attached);
    EXPECT_EQ(frame.type, SyncMessage::terminal);
    ASSERT_TRUE(attached.valid());
    ASSERT_EQ(write(attached.get(), "x", 1), 1);
    char byte = 0;
    EXPECT_EQ(read(pipe_fds[0], &byte, 1), 1);
    EXPECT_EQ(byte, 'x');
    close(pipe_fds[0]);
}

TEST_F(SyncPair, ExpectSkipsDebugFrames) {
    SyncSocket child(child_fd);
    child.send(SyncMessage::debug, "seccomp: skipped a syscall");
    child.send(SyncMessage::ready);
    EXPECT_EQ(SyncSocket(runtime_fd).expect(SyncMessage::ready).type, SyncMessage::ready);
}

TEST(SyncFrame, LastMessageTypeDecodes) {
    SyncFrame frame{SyncMessage::seccomp_done, 0, ErrorKind::generic, ""};
    EXPECT_EQ(decode_sync_frame(encode_sync_frame(frame)).type, SyncMessage::seccomp_done);
}

TEST(HookMessages, SkippedWithoutHooks) {
    spec::Spec spec;
    EXPECT_FALSE(exchanges_hook_messages(spec));
    spec.hooks.emplace();
    spec.hooks->poststart.push_back(spec::Hook{});
    spec.hooks->poststop.push_back(spec::Hook{});
    EXPECT_FALSE(exchanges_hook_messages(spec));
    spec.linux_config.emplace();
    EXPECT_FALSE(exchanges_hook_messages(spec));
}

TEST(HookMessages, NeededForCreateTimeHooks) {
    std::vector<std::pair<const char*, std::vector<spec::Hook> spec::Hooks::*>> lists = {
        {"prestart", &spec::Hooks::prestart},
        {"createRuntime", &spec::Hooks::create_runtime},
        {"createContainer", &spec::Hooks::create_container},
        {"startContainer", &spec::Hooks::start_container}};
    for (auto [name, list] : lists) {
        SCOPED_TRACE(name);
        spec::Spec spec;
        spec.hooks.emplace();
        (*spec.hooks.*list).push_back(spec::Hook{});
        EXPECT_TRUE(exchanges_hook_messages(spec));
    }
}

TEST(HookMessages, NeededForNetDevices) {
    spec::Spec spec;
    spec.linux_config.emplace();
    spec.linux_config->net_devices["eth1"] = spec::NetDevice{};
    EXPECT_TRUE(exchanges_hook_messages(spec));
}

TEST(StartMessage, RoundTrips) {
    StartMessage message{{{"cpu", "/x1"}, {"", "/a/b"}},
                         {"/sys/fs/cgroup/cpu/x1/tasks", "/sys/fs/cgroup/pids/x1/tasks"}};
    StartMessage decoded = decode_start_message(encode_start_message(message));
    EXPECT_EQ(decoded.cgroup_relative_paths, message.cgroup_relative_paths);
    EXPECT_EQ(decoded.join_files, message.join_files);
}

TEST(StartMessage, MalformedPayloadNamed) {
    for (const char* payload : {"", "{\"cgroups\": {}}", "{\"cgroups\": [], \"join\": []}"}) {
        SCOPED_TRACE(payload);
        try {
            decode_start_message(payload);
            ADD_FAILURE() << "no error";
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find("malformed start message"), std::string::npos)
                << error.what();
        }
    }
}

}  // namespace
}  // namespace ocirun::process
