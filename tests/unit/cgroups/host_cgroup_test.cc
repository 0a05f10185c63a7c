// Lifecycle of a scratch cgroup on this host's real hierarchies; needs root, skipped otherwise.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/error.h"
#include "cgroups/cgroups.h"
#include "cgroups/files.h"
#include "cgroups/layout.h"

namespace ocirun::cgroups {
namespace {

// A child that writes one byte to a pipe every 5 ms, so a test can see whether it runs.
class Ticker {
  public:
    Ticker() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            throw_errno("pipe2");
        }
        pid_ = fork();
        if (pid_ == 0) {
            close(fds[0]);
            for (;;) {
                if (write(fds[1], "x", 1) < 0 && errno == EPIPE) {
                    _exit(0);
                }
                usleep(5000);
            }
        }
        close(fds[1]);
        read_fd_ = fds[0];
        fcntl(read_fd_, F_SETFL, O_NONBLOCK);
    }
    ~Ticker() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        close(read_fd_);
    }
    pid_t pid() const { return pid_; }
    // Returns how many bytes the child wrote since the last call.
    size_t drain() {
        char buffer[4096];
        size_t total = 0;
        ssize_t count;
        while ((count = read(read_fd_, buffer, sizeof buffer)) > 0) {
            total += static_cast<size_t>(count);
        }
        return total;
    }
    // Reaps the child; returns true when it was killed by `signal`.
    bool reaped_by(int signal) {
        int status = 0;
        pid_t reaped = waitpid(pid_, &status, 0);
        pid_ = -1;
        return reaped > 0 && WIFSIGNALED(status) && WTERMSIG(status) == signal;
    }

  private:
    pid_t pid_ = -1;
    int read_fd_ = -1;
};

class HostCgroup : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0) {
            GTEST_SKIP() << "needs root";
        }
        request_.id = "ocirun-test-" + std::to_string(getpid());
        request_.cgroups_path = request_.id;  // relative: below the test's own cgroups
    }
    void TearDown() override {
        if (!paths_.empty()) {
            destroy(paths_);
        }
    }
    CgroupRequest request_;
    CgroupPaths paths_;
};

void sleep_ms(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

TEST_F(HostCgroup, CreateMovesProcessIntoEveryHierarchy) {
    Ticker child;
    CreatedCgroup cgroup = create(request_, child.pid());
    paths_ = cgroup.paths;
    EXPECT_TRUE(cgroup.created);
    ASSERT_FALSE(paths_.empty());
    for (const auto& [key, directory] : paths_) {
        std::string procs = read_control(directory, "cgroup.procs");
        EXPECT_EQ(procs, std::to_string(child.pid())) << "controller " << key;
    }
    std::vector<pid_t> pids = list_pids(paths_);
    ASSERT_EQ(pids.size(), 1u);
    EXPECT_EQ(pids[0], child.pid());
}

TEST_F(HostCgroup, FreezeStopsAndThawResumes) {
    Ticker child;
    paths_ = create(request_, child.pid()).paths;
    freeze(paths_);
    EXPECT_TRUE(is_frozen(paths_));
    child.drain();
    sleep_ms(100);
    EXPECT_EQ(child.drain(), 0u);
    thaw(paths_);
    EXPECT_FALSE(is_frozen(paths_));
    sleep_ms(100);
    EXPECT_GT(child.drain(), 0u);
}

TEST_F(HostCgroup, SignalAllReachesEveryProcess) {
    Ticker first;
    Ticker second;
    paths_ = create(request_, first.pid()).paths;
    add_process(paths_, second.pid());
    EXPECT_EQ(list_pids(paths_).size(), 2u);
    signal_all(paths_, SIGTERM);
    EXPECT_TRUE(first.reaped_by(SIGTERM));
    EXPECT_TRUE(second.reaped_by(SIGTERM));
    EXPECT_FALSE(is_frozen(paths_));
}

TEST_F(HostCgroup, SignalAllKeepsPausedContainerPaused) {
    Ticker child;
    paths_ = create(request_, child.pid()).paths;
    freeze(paths_);
    signal_all(paths_, SIGUSR1);
    EXPECT_TRUE(is_frozen(paths_));
    thaw(paths_);
    EXPECT_TRUE(child.reaped_by(SIGUSR1));
}

TEST_F(HostCgroup, DestroyKillsAndRemovesDirectories) {
    Ticker child;
    CgroupPaths paths = create(request_, child.pid()).paths;
    destroy(paths);
    EXPECT_TRUE(child.reaped_by(SIGKILL));
    for (const auto& [key, directory] : paths) {
        EXPECT_FALSE(path_exists(directory)) << directory;
    }
    destroy(paths);  // missing directories are not errors
}

TEST_F(HostCgroup, DestroyRemovesChildCgroups) {
    Ticker child;
    CgroupPaths paths = create(request_, child.pid()).paths;
    for (const auto& [key, directory] : paths) {
        std::string nested = directory + "/nested";
        ASSERT_TRUE(mkdir(nested.c_str(), 0755) == 0 || errno == EEXIST) << nested;
    }
    destroy(paths);
    EXPECT_TRUE(child.reaped_by(SIGKILL));
    for (const auto& [key, directory] : paths) {
        EXPECT_FALSE(path_exists(directory + "/nested")) << directory;
        EXPECT_FALSE(path_exists(directory)) << directory;
    }
}

TEST_F(HostCgroup, JoinExistingIsNotCreated) {
    Ticker first;
    paths_ = create(request_, first.pid()).paths;
    ::kill(first.pid(), SIGKILL);
    EXPECT_TRUE(first.reaped_by(SIGKILL));
    Ticker second;
    CreatedCgroup joined = create(request_, second.pid());
    EXPECT_FALSE(joined.created);
    EXPECT_EQ(joined.paths, paths_);
}

// Tests that need several hierarchies, which a pure cgroup v2 host lacks, so they may skip there.
class HostCgroupV1 : public HostCgroup {};

// Where only some hierarchies have the cgroup, create records the others as its own.
TEST_F(HostCgroupV1, PartlyExistingRecordsMadeOnes) {
    Ticker first;
    paths_ = create(request_, first.pid()).paths;
    ::kill(first.pid(), SIGKILL);
    EXPECT_TRUE(first.reaped_by(SIGKILL));
    std::vector<std::string> directories;
    for (const auto& [key, directory] : paths_) {
        if (std::find(directories.begin(), directories.end(), directory) == directories.end()) {
            directories.push_back(directory);
        }
    }
    if (directories.size() < 2) {
        GTEST_SKIP() << "only one cgroup hierarchy here";
    }
    const std::string existing_directory = directories.front();
    for (size_t i = 1; i < directories.size(); ++i) {
        ASSERT_EQ(rmdir(directories[i].c_str()), 0) << directories[i];
    }

    Ticker second;
    CreatedCgroup cgroup = create(request_, second.pid());
    EXPECT_FALSE(cgroup.created);
    EXPECT_EQ(cgroup.paths, paths_);
    for (const auto& [key, directory] : paths_) {
        if (directory == existing_directory) {
            EXPECT_EQ(cgroup.created_paths.count(key), 0u) << "controller " << key;
        } else {
            EXPECT_EQ(cgroup.created_paths.count(key), 1u) << "controller " << key;
        }
    }
}

// A pod's cgroup made by another program without cpuset.cpus and cpuset.mems: the container's
// cgroup below it can take a process only when both get values.
TEST_F(HostCgroupV1, EmptyCpusetParentIsFilled) {
    const Hierarchy* cpuset = nullptr;
    Layout layout = current_layout();
    for (const Hierarchy& hierarchy : layout.hierarchies) {
        if (std::find(hierarchy.controllers.begin(), hierarchy.controllers.end(), "cpuset") !=
            hierarchy.controllers.end()) {
            cpuset = &hierarchy;
        }
    }
    if (cpuset == nullptr) {
        GTEST_SKIP() << "no v1 cpuset hierarchy here";
    }
    if (read_control(cpuset->mount_point, "cgroup.clone_children") != "0") {
        GTEST_SKIP() << "cgroup.clone_children fills new cpuset cgroups here";
    }
    std::string pod = "ocirun-test-pod-" + std::to_string(getpid());
    std::string pod_directory = cpuset->mount_point + "/" + pod;
    ASSERT_EQ(mkdir(pod_directory.c_str(), 0755), 0) << pod_directory;
    // Removes the pod's directories (create made them in every hierarchy) also after a failure.
    struct PodRemover {
        const Layout& layout;
        const std::string& pod;
        ~PodRemover() {
            for (const Hierarchy& hierarchy : layout.hierarchies) {
                rmdir((hierarchy.mount_point + "/" + pod + "/ctr").c_str());
                rmdir((hierarchy.mount_point + "/" + pod).c_str());
            }
        }
    } remover{layout, pod};
    ASSERT_EQ(read_control(pod_directory, "cpuset.cpus"), "");

    request_.cgroups_path = "/" + pod + "/ctr";
    Ticker child;
    CreatedCgroup cgroup = create(request_, child.pid());
    paths_ = cgroup.paths;
    std::string expected_cpus = read_control(cpuset->mount_point, "cpuset.cpus");
    EXPECT_EQ(read_control(pod_directory, "cpuset.cpus"), expected_cpus);
    EXPECT_EQ(read_control(paths_.at("cpuset"), "cpuset.cpus"), expected_cpus);
    EXPECT_EQ(read_control(paths_.at("cpuset"), "cgroup.procs"), std::to_string(child.pid()));

    ::kill(child.pid(), SIGKILL);
    EXPECT_TRUE(child.reaped_by(SIGKILL));
    destroy(paths_);
    paths_.clear();
}

TEST_F(HostCgroup, CreateRejectsNonEmptyCgroup) {
    Ticker first;
    paths_ = create(request_, first.pid()).paths;
    Ticker second;
    EXPECT_THROW(create(request_, second.pid()), Error);
}

TEST_F(HostCgroup, RelativePathsAreBelowMountPoints) {
    Ticker child;
    paths_ = create(request_, child.pid()).paths;
    std::map<std::string, std::string> relative = relative_paths(paths_);
    ASSERT_EQ(relative.size(), paths_.size());
    for (const auto& [key, path] : relative) {
        EXPECT_EQ(path.substr(path.size() - request_.id.size()), request_.id) << key;
        EXPECT_EQ(path[0], '/') << key;
        EXPECT_NE(paths_.at(key).find(path), std::string::npos) << key;
    }
}

TEST_F(HostCgroup, BeforeJoinSeesEmptyCgroup) {
    Ticker child;
    CgroupPaths seen;
    std::vector<pid_t> pids_before_join = {-1};
    CreatedCgroup cgroup = create(request_, child.pid(), [&](const CreatedCgroup& made) {
        seen = made.paths;
        pids_before_join = list_pids(made.paths);
    });
    paths_ = cgroup.paths;
    EXPECT_EQ(seen, paths_);
    EXPECT_TRUE(pids_before_join.empty());
    std::vector<pid_t> pids = list_pids(paths_);
    ASSERT_EQ(pids.size(), 1u);
    EXPECT_EQ(pids[0], child.pid());
}

TEST_F(HostCgroup, BeforeJoinFailureRemovesCgroup) {
    Ticker child;
    CgroupPaths made_paths;
    auto fail = [&](const CreatedCgroup& made) {
        made_paths = made.paths;
        throw_error("before join failed");
    };
    EXPECT_THROW(create(request_, child.pid(), fail), Error);
    ASSERT_FALSE(made_paths.empty());
    for (const auto& [key, directory] : made_paths) {
        EXPECT_FALSE(path_exists(directory)) << "controller " << key;
    }
}

TEST_F(HostCgroup, CreateReturnsRelativePaths) {
    Ticker child;
    CreatedCgroup cgroup = create(request_, child.pid());
    paths_ = cgroup.paths;
    ASSERT_FALSE(paths_.empty());
    EXPECT_EQ(cgroup.relative_paths, relative_paths(paths_));
}

// With process_joins_v1, create moves the process only into a v2 hierarchy and lists the v1
// `tasks` files. The process joins each by writing "0" to it.
TEST_F(HostCgroup, ProcessJoinsV1ThroughTasksFiles) {
    request_.process_joins_v1 = true;
    int to_child[2];
    int from_child[2];
    ASSERT_EQ(pipe2(to_child, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(from_child, O_CLOEXEC), 0);

    // The child reads the file list from the parent, joins, reports, and waits to be killed.
    pid_t child = fork();
    if (child == 0) {
        close(to_child[1]);
        close(from_child[0]);
        std::string files;
        char buffer[4096];
        ssize_t count;
        while ((count = read(to_child[0], buffer, sizeof buffer)) > 0) {
            files.append(buffer, static_cast<size_t>(count));
        }

        bool joined = true;
        for (size_t start = 0; start < files.size();) {
            size_t end = files.find('\n', start);
            int fd = open(files.substr(start, end - start).c_str(), O_WRONLY | O_CLOEXEC);
            joined = joined && fd >= 0 && write(fd, "0", 1) == 1;
            close(fd);
            start = end + 1;
        }
        (void)!write(from_child[1], joined ? "y" : "n", 1);
        pause();
        _exit(0);
    }
    close(to_child[0]);
    close(from_child[1]);
    // Kills the child also when an assertion below returns early.
    struct Reaper {
        pid_t pid;
        ~Reaper() {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    } reaper{child};

    CreatedCgroup cgroup = create(request_, child);
    paths_ = cgroup.paths;
    size_t v1_directories = 0;
    std::vector<std::string> seen;
    for (const auto& [key, directory] : paths_) {
        if (key.empty() || std::find(seen.begin(), seen.end(), directory) != seen.end()) {
            continue;
        }
        seen.push_back(directory);
        ++v1_directories;
        EXPECT_EQ(read_control(directory, "cgroup.procs"), "") << "controller " << key;
        EXPECT_NE(
            std::find(cgroup.join_files.begin(), cgroup.join_files.end(), directory + "/tasks"),
            cgroup.join_files.end())
            << "controller " << key;
    }
    EXPECT_EQ(cgroup.join_files.size(), v1_directories);

    std::string listed;
    for (const std::string& file : cgroup.join_files) {
        listed += file + "\n";
    }
    ASSERT_EQ(write(to_child[1], listed.data(), listed.size()),
              static_cast<ssize_t>(listed.size()));
    close(to_child[1]);
    char answer = 0;
    ASSERT_EQ(read(from_child[0], &answer, 1), 1);
    close(from_child[0]);
    EXPECT_EQ(answer, 'y');

    for (const auto& [key, directory] : paths_) {
        EXPECT_EQ(read_control(directory, "cgroup.procs"), std::to_string(child))
            << "controller " << key;
    }
}

}  // namespace
}  // namespace ocirun::cgroups
