// The CVE-2019-5736 class: a process in the container must not be able to write the runtime's
// binary through /proc/<pid>/exe of a runtime process. Such a process is the container's init
// or an exec'd process before execve, or the runtime that a `#!/proc/self/exe` script starts.
//
// Each test runs a private copy of the runtime (OCIRUN_TEST_BINARY), so a runtime that is still
// vulnerable corrupts only the copy.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace ocirun::testing {
namespace {

// Reads the whole file in one call, because the runtime binary of a sanitizer build is over
// 100 MB and reading it character by character takes tens of seconds.
std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    std::string contents(static_cast<size_t>(std::max<std::streamoff>(file.tellg(), 0)), '\0');
    file.seekg(0);
    file.read(contents.data(), static_cast<std::streamsize>(contents.size()));
    return contents;
}

void write_file(const std::string& path, const std::string& contents, mode_t mode = 0644) {
    std::ofstream(path) << contents;
    chmod(path.c_str(), mode);
}

// Waits up to `seconds` for `path` to exist and returns its contents, or "" on timeout.
std::string wait_for_file(const std::string& path, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
        if (path_exists(path)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            return read_file(path);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
}

// Copies the runtime under test to a temporary directory and makes the harness use the copy
// for the lifetime of this object.
class PrivateRuntime {
  public:
    PrivateRuntime() : dir_(make_temp_dir("ocirun-private-runtime")) {
        original_ = runtime_binary();
        path_ = dir_ + "/ocirun";
        std::filesystem::copy_file(original_, path_);
        chmod(path_.c_str(), 0755);
        contents_ = read_file(path_);
        setenv("OCIRUN_TEST_BINARY", path_.c_str(), 1);
    }
    ~PrivateRuntime() {
        if (original_ == OCIRUN_BINARY) {
            unsetenv("OCIRUN_TEST_BINARY");
        } else {
            setenv("OCIRUN_TEST_BINARY", original_.c_str(), 1);
        }
        std::filesystem::remove_all(dir_);
    }
    bool unchanged() const { return read_file(path_) == contents_; }

  private:
    std::string dir_;
    std::string original_;
    std::string path_;
    std::string contents_;
};

// A container with a host directory bound at /attack, where the attacker leaves its results.
struct AttackContainer {
    explicit AttackContainer(std::vector<std::string> args)
        : attack_dir(make_temp_dir("ocirun-attack")), container(std::move(args)) {
        container.config["mounts"].push_back({{"destination", "/attack"},
                                              {"type", "bind"},
                                              {"source", attack_dir},
                                              {"options", {"rbind", "rw"}}});
    }
    ~AttackContainer() { std::filesystem::remove_all(attack_dir); }

    std::string attack_dir;
    TestContainer container;
};

// Holds /proc/1/exe open while pid 1 is the runtime waiting for `start`, waits until pid 1 has
// exec'd the container program and no runtime process is left, then appends to the held file.
constexpr const char* kInitAttack =
    "exec 3</proc/1/exe || { echo no-open > /attack/result; exit; }; "
    "readlink /proc/1/exe > /attack/held; "
    "while [ \"$(readlink /proc/1/exe)\" != /bin/busybox ]; do usleep 10000; done; sleep 2; "
    "(printf pwned >> /proc/self/fd/3) 2>/attack/error; echo $? > /attack/result";

TEST(SecuritySelfExe, InitBeforeStartCannotWriteRuntime) {
    PrivateRuntime runtime;
    AttackContainer attack({"/bin/sleep", "10"});
    CommandResult created = attack.container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    int pid = attack.container.state().at("pid").get<int>();

    // NOTE: the attacker enters with nsenter as root with every capability. That is stronger
    // than a process started by `ocirun exec`, which this test can use once exec works.
    std::string target = std::to_string(pid);
    pid_t attacker = fork();
    ASSERT_GE(attacker, 0);
    if (attacker == 0) {
        execl("/usr/bin/nsenter", "nsenter", "-t", target.c_str(), "-m", "-p", "-r", "-w",
              "/bin/sh", "-c", kInitAttack, static_cast<char*>(nullptr));
        _exit(127);
    }
    ASSERT_FALSE(wait_for_file(attack.attack_dir + "/held", 10).empty());
    CommandResult started = attack.container.ocirun({"start", attack.container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    std::string result = wait_for_file(attack.attack_dir + "/result", 15);
    waitpid(attacker, nullptr, 0);

    EXPECT_TRUE(runtime.unchanged()) << "the container wrote the runtime binary";
    EXPECT_NE(result, "0\n") << "the write succeeded: " << read_file(attack.attack_dir + "/error");
    EXPECT_FALSE(result.empty()) << "the attacker did not finish";
}

// Pid 1 watches for any process in the container whose executable is not busybox (the exec'd
// runtime before execve, or the runtime run again by `#!/proc/self/exe`). It keeps that exe
// open, waits for the process to end and for the host command to finish, then appends to it.
constexpr const char* kExecAttack =
    "while :; do for p in /proc/[0-9]*; do e=$(readlink $p/exe 2>/dev/null); "
    "case \"$e\" in ''|/bin/busybox) continue;; esac; "
    "exec 3<$p/exe || continue; echo \"$e\" > /attack/held; "
    "while [ -e $p/exe ]; do usleep 10000; done; sleep 2; "
    "(printf pwned >> /proc/self/fd/3) 2>/attack/error; echo $? > /attack/result; exit; "
    "done; done";

TEST(SecuritySelfExe, ExecScriptCannotWriteRuntime) {
    PrivateRuntime runtime;
    AttackContainer attack({"/bin/sh", "-c", kExecAttack});
    write_file(attack.attack_dir + "/evil", "#!/proc/self/exe\n", 0755);
    CommandResult started = attack.container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;

    // Each exec gives the attacker two windows: the exec'd runtime before execve, and the runtime
    // binary that the kernel runs for the script.
    for (int attempt = 0; attempt < 20 && !path_exists(attack.attack_dir + "/held"); ++attempt) {
        attack.container.ocirun({"exec", attack.container.id(), "/attack/evil"});
    }
    if (!path_exists(attack.attack_dir + "/held")) {
        GTEST_SKIP() << "the attacker never caught a runtime process; nothing was tested";
    }
    std::string result = wait_for_file(attack.attack_dir + "/result", 15);

    EXPECT_TRUE(runtime.unchanged()) << "the container wrote the runtime binary";
    EXPECT_NE(result, "0\n") << "the write succeeded: " << read_file(attack.attack_dir + "/error");
    EXPECT_FALSE(result.empty()) << "the attacker did not finish";
}

// A startContainer hook runs in the container as a child of init, before init's execve, with
// the container's user and capabilities. Init is non-dumpable then, so the hook can open neither
// /proc/<init>/exe (the runtime binary) nor init's fds. fd 0 of init is /dev/null here, which
// reads at once when it can be opened.
TEST(SecuritySelfExe, InitNotDumpableBeforeExecve) {
    AttackContainer attack({"/bin/true"});
    attack.container.config["hooks"]["startContainer"] = {
        {{"path", "/bin/sh"},
         {"args",
          {"sh", "-c",
           "cat /proc/$PPID/exe >/dev/null 2>/attack/exe; echo $? >>/attack/exe; "
           "cat /proc/$PPID/fd/0 >/dev/null 2>/attack/fd; echo $? >>/attack/fd"}}}};
    CommandResult result = attack.container.run();
    ASSERT_EQ(result.status, 0) << result.err;
    std::string exe = read_file(attack.attack_dir + "/exe");
    std::string fd = read_file(attack.attack_dir + "/fd");
    EXPECT_NE(exe.find("Permission denied"), std::string::npos) << exe;
    EXPECT_NE(fd.find("Permission denied"), std::string::npos) << fd;
}

}  // namespace
}  // namespace ocirun::testing
