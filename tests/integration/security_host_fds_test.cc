// No fd of the caller reaches the container process, and its working directory is inside the
// container (CVE-2024-21626). The caller of create, run and exec keeps extra fds open without
// close-on-exec: host directories and a host file. From inside, the container lists
// /proc/self/fd and reads /proc/self/cwd.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "harness.h"

namespace ocirun::testing {
namespace {

namespace fs = std::filesystem;

// Prints "FD TARGET" for each fd of the shell, then "cwd TARGET". A second shell, given the
// first one's pid, lists them, so that the fds it opens for the glob and for $(...) are not
// the listed ones. The trailing `exit` keeps the first shell from exec'ing the second.
constexpr const char* kReportScript =
    R"sh(sh -c 'for f in /proc/$1/fd/*; do echo "${f##*/} $(readlink $f)"; done; )sh"
    R"sh(echo "cwd $(readlink /proc/$1/cwd)"' report $$; exit $?)sh";

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// Host fds that the runtime's caller keeps open: two directories (one the host root) and a
// file, none of them close-on-exec in the runtime, at fds 3, 4 and 7.
class CallerFds {
  public:
    CallerFds() : dir_(make_temp_dir("ocirun-caller-fds")) {
        std::ofstream(dir_ + "/host-file") << "host";
        fds_[3] = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fds_[4] = open((dir_ + "/host-file").c_str(), O_RDONLY | O_CLOEXEC);
        fds_[7] = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    ~CallerFds() {
        for (const auto& [target, fd] : fds_) {
            close(fd);
        }
        fs::remove_all(dir_);
    }
    const std::map<int, int>& fds() const { return fds_; }
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
    std::map<int, int> fds_;
};

// Checks a report of kReportScript: fds 0, 1 and 2 only, none naming the caller's directory,
// and the working directory `cwd`.
void expect_clean_report(const std::string& report, const CallerFds& caller,
                         const std::string& cwd) {
    std::istringstream lines(report);
    std::string fd_list;
    std::string seen_cwd;
    for (std::string line; std::getline(lines, line);) {
        std::string name = line.substr(0, line.find(' '));
        std::string target = line.substr(line.find(' ') + 1);
        if (name == "cwd") {
            seen_cwd = target;
            continue;
        }
        fd_list += (fd_list.empty() ? "" : ",") + name;
        EXPECT_EQ(target.find(caller.dir()), std::string::npos) << line;
    }
    EXPECT_EQ(fd_list, "0,1,2") << report;
    EXPECT_EQ(seen_cwd, cwd) << report;
}

TEST(HostFds, RunSeesOnlyStdio) {
    CallerFds caller;
    TestContainer container({"/bin/sh", "-c", kReportScript});
    container.config["process"]["cwd"] = "/tmp";
    container.write_config();
    CommandResult result =
        container.ocirun({"run", "--bundle", container.bundle(), container.id()}, caller.fds());
    ASSERT_EQ(result.status, 0) << result.err;
    expect_clean_report(result.out, caller, "/tmp");
}

// create's stdout is closed once create exits, so the report goes to a bind-mounted file.
TEST(HostFds, CreateStartSeesOnlyStdio) {
    CallerFds caller;
    std::string out_dir = make_temp_dir("ocirun-report");
    TestContainer container({"/bin/sh", "-c", std::string("exec >/out/report; ") + kReportScript});
    container.config["mounts"].push_back(
        {{"destination", "/out"}, {"type", "bind"}, {"source", out_dir}, {"options", {"rbind"}}});
    container.write_config();
    CommandResult created =
        container.ocirun({"create", "--bundle", container.bundle(), container.id()}, caller.fds());
    ASSERT_EQ(created.status, 0) << created.err;
    CommandResult started = container.ocirun({"start", container.id()}, caller.fds());
    ASSERT_EQ(started.status, 0) << started.err;
    for (int i = 0; i < 100 && container.status() != "stopped"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string report = read_file(out_dir + "/report");
    fs::remove_all(out_dir);
    // fd 1 is the report file itself, opened by the shell's redirection.
    std::string expected_stdout = "1 /out/report\n";
    ASSERT_NE(report.find(expected_stdout), std::string::npos) << report;
    expect_clean_report(report, caller, "/");
}

TEST(HostFds, ExecSeesOnlyStdio) {
    CallerFds caller;
    TestContainer container({"/bin/sleep", "300"});
    CommandResult started = container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;
    for (const char* cwd : {"/", "/proc"}) {
        SCOPED_TRACE(cwd);
        CommandResult result = container.ocirun(
            {"exec", "--cwd", cwd, container.id(), "/bin/sh", "-c", kReportScript}, caller.fds());
        ASSERT_EQ(result.status, 0) << result.err;
        expect_clean_report(result.out, caller, cwd);
    }
}

// With --preserve-fds 1 the caller's fd 3 is passed on purpose, and only that one.
TEST(HostFds, ExecPreserveFdsPassesOnlyThose) {
    CallerFds caller;
    std::map<int, int> file_at_three = {{3, caller.fds().at(4)}, {4, caller.fds().at(3)}};
    TestContainer container({"/bin/sleep", "300"});
    CommandResult started = container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;
    CommandResult result = container.ocirun(
        {"exec", "--preserve-fds", "1", container.id(), "/bin/sh", "-c", kReportScript},
        file_at_three);
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_NE(result.out.find("\n3 " + caller.dir() + "/host-file\n"), std::string::npos)
        << result.out;
    EXPECT_EQ(result.out.find("\n4 "), std::string::npos) << result.out;
}

}  // namespace
}  // namespace ocirun::testing
