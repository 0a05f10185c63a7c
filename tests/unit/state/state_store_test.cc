// Tests for the state root: ids, directories, atomic saves and per-container locks.
#include "state/state_store.h"

#include <dirent.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <fstream>
#include <iterator>

#include "base/error.h"
#include "temp_dir.h"

namespace ocirun::state {
namespace {

using testing::TempDir;

ContainerState sample_state(const std::string& id) {
    ContainerState state;
    state.id = id;
    state.bundle = "/bundles/" + id;
    state.rootfs = "/bundles/" + id + "/rootfs";
    state.pid = 1234;
    state.pid_start_time = 98765;
    state.created = "2026-12-04T17:03:12.198246774Z";
    state.owner = 1000;
    state.annotations = {{"org.example.key", "value"}};
    state.cgroup_paths = {{"memory", "/sys/fs/cgroup/memory/x"}, {"", "/sys/fs/cgroup/unified/x"}};
    state.cgroup_created = false;
    state.cgroup_created_paths = {{"memory", "/sys/fs/cgroup/memory/x"}};
    state.rootless = true;
    state.extra = {{"namespaces", {{"pid", "/proc/1234/ns/pid"}}}};
    return state;
}

std::vector<std::string> directory_entries(const std::string& path) {
    std::vector<std::string> names;
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) {
        return names;
    }
    while (dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") {
            names.push_back(name);
        }
    }
    closedir(dir);
    return names;
}

// Waits up to `timeout_ms` for a byte on `fd`; returns true when one arrived.
bool wait_for_byte(int fd, int timeout_ms) {
    pollfd entry{fd, POLLIN, 0};
    if (poll(&entry, 1, timeout_ms) != 1) {
        return false;
    }
    char byte = 0;
    return read(fd, &byte, 1) == 1;
}

void send_byte(int fd) {
    char byte = 'x';
    ASSERT_EQ(write(fd, &byte, 1), 1);
}

int wait_exit_status(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

TEST(ContainerId, ValidationTable) {
    struct Case {
        std::string id;
        bool valid;
    };
    const Case cases[] = {
        {"abc", true},
        {"ABC-123_x+y.z", true},
        {"a", true},
        {"...", true},
        {".hidden", true},
        {std::string(1024, 'a'), true},
        {"", false},
        {".", false},
        {"..", false},
        {"a/b", false},
        {"/", false},
        {"../x", false},
        {"a b", false},
        {"a:b", false},
        {"tab\t", false},
        {"é", false},
        {std::string(1025, 'a'), false},
        {std::string("a\0b", 3), false},
    };
    for (const Case& c : cases) {
        if (c.valid) {
            EXPECT_NO_THROW(validate_container_id(c.id)) << "id: " << c.id;
        } else {
            EXPECT_THROW(validate_container_id(c.id), Error) << "id: " << c.id;
        }
    }
}

TEST(StateStore, CreatesMissingRoot) {
    TempDir temp;
    std::string root = temp.path() + "/nested/root/";
    StateStore store(root);
    struct stat info {};
    ASSERT_EQ(stat(root.c_str(), &info), 0);
    EXPECT_TRUE(S_ISDIR(info.st_mode));
    EXPECT_EQ(info.st_mode & 07777, 0700u);
    EXPECT_EQ(store.root(), temp.path() + "/nested/root");
}

TEST(StateStore, SaveLoadRoundTrip) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    ContainerState saved = sample_state("c1");
    store.save(saved);
    ContainerState loaded = store.load("c1");
    EXPECT_EQ(loaded.id, saved.id);
    EXPECT_EQ(loaded.bundle, saved.bundle);
    EXPECT_EQ(loaded.rootfs, saved.rootfs);
    EXPECT_EQ(loaded.pid, saved.pid);
    EXPECT_EQ(loaded.pid_start_time, saved.pid_start_time);
    EXPECT_EQ(loaded.created, saved.created);
    EXPECT_EQ(loaded.owner, saved.owner);
    EXPECT_EQ(loaded.annotations, saved.annotations);
    EXPECT_EQ(loaded.cgroup_paths, saved.cgroup_paths);
    EXPECT_EQ(loaded.cgroup_created, saved.cgroup_created);
    EXPECT_EQ(loaded.cgroup_created_paths, saved.cgroup_created_paths);
    EXPECT_EQ(loaded.systemd_cgroup, saved.systemd_cgroup);
    EXPECT_EQ(loaded.rootless, saved.rootless);
    EXPECT_EQ(loaded.extra, saved.extra);
    EXPECT_TRUE(store.exists("c1"));
}

TEST(ContainerState, CreatedCgroupPaths) {
    ContainerState state = sample_state("c1");
    state.cgroup_created = true;
    EXPECT_EQ(created_cgroup_paths(state), state.cgroup_paths);
    state.cgroup_created = false;
    std::map<std::string, std::string> expected = {{"memory", "/sys/fs/cgroup/memory/x"}};
    EXPECT_EQ(created_cgroup_paths(state), expected);
    state.cgroup_created_paths.clear();
    EXPECT_TRUE(created_cgroup_paths(state).empty());
}

TEST(StateStore, SaveLeavesNoTempFile) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    store.save(sample_state("c1"));
    store.save(sample_state("c1"));
    auto entries = directory_entries(store.container_dir("c1"));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0], "state.json");
}

TEST(StateStore, ReaderNeverSeesPartialFile) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    store.save(sample_state("c1"));

    pid_t writer = fork();
    ASSERT_GE(writer, 0);
    if (writer == 0) {
        ContainerState state = sample_state("c1");
        for (int i = 0; i < 500; ++i) {
            // Sizes vary, so that a torn write would leave an unparsable file.
            state.annotations["padding"] = std::string(static_cast<size_t>(i % 97) * 100, 'p');
            store.save(state);
        }
        _exit(0);
    }
    int parsed = 0;
    int failures = 0;
    for (int i = 0; i < 500; ++i) {
        try {
            store.load("c1");
            ++parsed;
        } catch (const Error&) {
            ++failures;
        }
    }
    EXPECT_EQ(wait_exit_status(writer), 0);
    EXPECT_EQ(failures, 0);
    EXPECT_EQ(parsed, 500);
    EXPECT_EQ(directory_entries(store.container_dir("c1")).size(), 1u);
}

TEST(StateStore, CreateTwiceAlreadyExists) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    try {
        store.create_container("c1");
        FAIL() << "the second create succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::already_exists);
        EXPECT_STREQ(e.what(), "container with id exists: c1");
    }
}

TEST(StateStore, LoadMissingNotFound) {
    TempDir temp;
    StateStore store(temp.path());
    try {
        store.load("nope");
        FAIL() << "load of a missing container succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::not_found);
        EXPECT_STREQ(e.what(), "container \"nope\" does not exist");
    }
    EXPECT_FALSE(store.exists("nope"));
    EXPECT_THROW(store.lock("nope"), Error);
}

TEST(StateStore, LoadMalformedNamesField) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    std::ofstream(store.container_dir("c1") + "/state.json")
        << R"({"id":"c1","bundle":"/b","pid":"x"})";
    try {
        store.load("c1");
        FAIL() << "a malformed state file loaded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("`pid`"), std::string::npos) << e.what();
    }
}

// nlohmann converts a float or an oversized number to int without a check (found by fuzzing).
TEST(StateStore, LoadRejectsPidOutOfRange) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    for (const char* pid : {"4.1e32", "1.5", "4294967296", "-2147483649"}) {
        std::ofstream(store.container_dir("c1") + "/state.json")
            << R"({"id":"c1","bundle":"/b","pid":)" << pid << "}";
        try {
            store.load("c1");
            ADD_FAILURE() << "pid " << pid << " loaded";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("`pid`"), std::string::npos) << e.what();
        }
    }
}

TEST(StateStore, LoadIgnoresUnknownFields) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock lock = store.create_container("c1");
    std::ofstream(store.container_dir("c1") + "/state.json")
        << R"({"id":"c1","bundle":"/b","pid":7,"added_later":true})";
    ContainerState state = store.load("c1");
    EXPECT_EQ(state.pid, 7);
    EXPECT_EQ(state.bundle, "/b");
}

TEST(StateStore, RemoveAndListIds) {
    TempDir temp;
    StateStore store(temp.path());
    for (const char* id : {"b", "a", "c"}) {
        ContainerLock lock = store.create_container(id);
        store.save(sample_state(id));
    }
    std::vector<std::string> expected = {"a", "b", "c"};
    EXPECT_EQ(store.list_ids(), expected);
    store.remove("b");
    expected = {"a", "c"};
    EXPECT_EQ(store.list_ids(), expected);
    EXPECT_FALSE(store.exists("b"));
    EXPECT_NO_THROW(store.remove("b"));
}

TEST(StateStore, RejectsInvalidId) {
    TempDir temp;
    StateStore store(temp.path());
    EXPECT_THROW(store.create_container("../escape"), Error);
    EXPECT_THROW(store.load(".."), Error);
    EXPECT_THROW(store.remove("a/b"), Error);
}

// The lock holder is a child process, so the test's own lock is a separate open file
// description and flock really contends.
TEST(ContainerLock, SecondLockerBlocksUntilRelease) {
    TempDir temp;
    StateStore store(temp.path());
    { ContainerLock created = store.create_container("c1"); }

    int locked_pipe[2];
    int release_pipe[2];
    ASSERT_EQ(pipe(locked_pipe), 0);
    ASSERT_EQ(pipe(release_pipe), 0);
    pid_t holder = fork();
    ASSERT_GE(holder, 0);
    if (holder == 0) {
        ContainerLock lock = store.lock("c1");
        send_byte(locked_pipe[1]);
        wait_for_byte(release_pipe[0], 10000);
        _exit(0);
    }
    ASSERT_TRUE(wait_for_byte(locked_pipe[0], 5000));

    int acquired_pipe[2];
    ASSERT_EQ(pipe(acquired_pipe), 0);
    pid_t waiter = fork();
    ASSERT_GE(waiter, 0);
    if (waiter == 0) {
        ContainerLock lock = store.lock("c1");
        send_byte(acquired_pipe[1]);
        _exit(0);
    }
    EXPECT_FALSE(wait_for_byte(acquired_pipe[0], 300)) << "the lock was taken twice";
    send_byte(release_pipe[1]);
    EXPECT_TRUE(wait_for_byte(acquired_pipe[0], 5000)) << "the lock was never released";
    EXPECT_EQ(wait_exit_status(holder), 0);
    EXPECT_EQ(wait_exit_status(waiter), 0);
}

TEST(ContainerLock, WaiterSeesRemovedContainer) {
    TempDir temp;
    StateStore store(temp.path());
    ContainerLock holder = store.create_container("c1");

    pid_t waiter = fork();
    ASSERT_GE(waiter, 0);
    if (waiter == 0) {
        // The parent's copy of the descriptor keeps holding the lock after this close.
        holder = ContainerLock();
        try {
            ContainerLock lock = store.lock("c1");
            _exit(1);
        } catch (const Error& e) {
            _exit(e.kind() == ErrorKind::not_found ? 0 : 2);
        }
    }
    // Gives the waiter time to open the directory and block in flock.
    usleep(200 * 1000);
    store.remove("c1");
    holder = ContainerLock();
    EXPECT_EQ(wait_exit_status(waiter), 0);
}

}  // namespace
}  // namespace ocirun::state
