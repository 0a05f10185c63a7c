// Writes the runtime makes to /proc after pivot_root (process.oomScoreAdj, linux.sysctl) must
// reach the real procfs, even when the image and the config's mounts redirect the path that
// /proc/... names inside the container (the CVE-2025-52881 class).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harness.h"

namespace ocirun::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kVictimContent = "host file, must stay unchanged\n";

std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// A copy of the busybox rootfs whose /proc is a symlink to /fakeproc, a plain directory whose
// `self/fd` and `sys` lead to the real procfs mounted at /realproc. The exec fifo and the
// read-only /proc/sys still work through it, while /proc/self/oom_score_adj and
// /proc/sys/net/ipv4/ip_forward are paths that a bind mount of the config may take over.
class RedirectedProcRootfs {
  public:
    RedirectedProcRootfs() : dir_(make_temp_dir("ocirun-fakeproc")) {
        fs::copy(OCIRUN_ROOTFS, path(),
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks);
        fs::remove_all(path() + "/proc");
        fs::create_directory_symlink("/fakeproc", path() + "/proc");
        fs::create_directories(path() + "/realproc");
        fs::create_directories(path() + "/fakeproc/self");
        fs::create_directories(path() + "/fakeproc/sys/net/ipv4");
        fs::create_directory_symlink("/realproc/self/fd", path() + "/fakeproc/self/fd");
        std::ofstream(path() + "/fakeproc/self/oom_score_adj") << "image file\n";
        std::ofstream(path() + "/fakeproc/sys/net/ipv4/ip_forward") << "image file\n";
        victim_ = dir_ + "/victim";
        std::ofstream(victim_) << kVictimContent;
    }
    ~RedirectedProcRootfs() { fs::remove_all(dir_); }
    std::string path() const { return dir_ + "/rootfs"; }
    // A host file that the config binds over the /proc file under test.
    const std::string& victim() const { return victim_; }

  private:
    std::string dir_;
    std::string victim_;
};

// Points the config at `rootfs`, mounts procfs at /realproc and binds the victim over
// `proc_file` (a path below the fake /proc).
void redirect(TestContainer& container, const RedirectedProcRootfs& rootfs,
              const std::string& proc_file) {
    container.config["root"]["path"] = rootfs.path();
    for (auto& mount : container.config["mounts"]) {
        if (mount["destination"] == "/proc") {
            mount["destination"] = "/realproc";
        }
    }
    container.config["mounts"].push_back({{"destination", proc_file},
                                          {"type", "bind"},
                                          {"source", rootfs.victim()},
                                          {"options", {"bind", "rw"}}});
}

// The fake /proc makes the container fail before its program runs, once the runtime checks
// /proc/self/fd, but the init process created up to then shows what was written.
TEST(ProcfsWrites, OomScoreAdjNotRedirected) {
    RedirectedProcRootfs rootfs;
    TestContainer container({"/bin/true"});
    redirect(container, rootfs, "/proc/self/oom_score_adj");
    container.config["process"]["oomScoreAdj"] = 432;
    CommandResult result = container.create();
    EXPECT_EQ(read_file(rootfs.victim()), kVictimContent) << "the write went to the host file";
    if (result.status != 0) {
        EXPECT_NE(result.err.find("`/proc"), std::string::npos) << result.err;
        return;
    }
    int pid = container.state()["pid"].get<int>();
    EXPECT_EQ(read_file("/proc/" + std::to_string(pid) + "/oom_score_adj"), "432\n");
}

TEST(ProcfsWrites, SysctlNotRedirected) {
    RedirectedProcRootfs rootfs;
    TestContainer container({"/bin/true"});
    redirect(container, rootfs, "/proc/sys/net/ipv4/ip_forward");
    container.config["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
    // A read-only /proc/sys would make the bound victim read-only too and hide a redirect.
    container.config["linux"]["readonlyPaths"] = nlohmann::json::array();
    CommandResult result = container.create();
    EXPECT_EQ(read_file(rootfs.victim()), kVictimContent) << "the write went to the host file";
    if (result.status != 0) {
        EXPECT_NE(result.err.find("`/proc"), std::string::npos) << result.err;
        return;
    }
    std::string pid = std::to_string(container.state()["pid"].get<int>());
    CommandResult forward = run_command({"/usr/bin/nsenter", "--net=/proc/" + pid + "/ns/net",
                                         "/bin/cat", "/proc/sys/net/ipv4/ip_forward"});
    EXPECT_EQ(forward.out, "1\n") << forward.err;
}

// The harness config makes /proc/sys read-only, as docker's does. Sysctls are still written,
// as runc writes them before it applies readonlyPaths.
TEST(ProcfsWrites, SysctlUnderReadOnlyProcSys) {
    TestContainer container({"/bin/cat", "/proc/sys/net/ipv4/ip_forward"});
    container.config["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}};
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "1\n");
}

TEST(ProcfsWrites, OomScoreAdjApplied) {
    TestContainer container({"/bin/cat", "/proc/self/oom_score_adj"});
    container.config["process"]["oomScoreAdj"] = 321;
    CommandResult result = container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, "321\n");
}

}  // namespace
}  // namespace ocirun::testing
