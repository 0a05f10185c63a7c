// The CVE-2019-5736 class: a process in the container must not be able to write the runtime's
// binary through /proc/<pid>/exe of a runtime process. Such a process is the container's init
// or an exec'd process before execve, or the runtime that a `#!/proc/self/exe` script starts.
//
// Each test runs a private copy of the runtime (OCIRUN_TEST_BINARY), so a runtime that is still
// vulnerable corrupts only the copy.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <sstream>
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

// The tests below stop a runtime process in the container at a point where it waits anyway,
// before its execve, and check it from outside and from a process in the container:
// - `create` returns while init blocks opening exec.fifo, until `start`.
// - An exec'd process with SCMP_ACT_NOTIFY rules and noNewPrivileges loads its filter last,
//   then waits until the runtime has passed the notify fd to linux.seccomp.listenerPath. A
//   listener that accepts nothing keeps the runtime waiting in connect(2), and so keeps the
//   process waiting.
// At both points the process has already dropped to the container's user and capabilities, so
// only its dumpable flag keeps a process with the same capabilities from ptrace and from its
// /proc/PID/exe. The probe (tests/helpers/proc_access_probe.cc) runs in the container. Each
// test runs a private copy of the runtime, so that no other test's process executing the
// binary turns the reopening for writing into ETXTBSY.

// Binds the test helpers at /probe, read-only.
void mount_probe(nlohmann::json& config) {
    config["mounts"].push_back({{"destination", "/probe"},
                                {"type", "bind"},
                                {"source", helpers_dir()},
                                {"options", {"rbind", "ro"}}});
}

// Parses the probe's "CHECK RESULT" lines. A line of another form maps to "".
std::map<std::string, std::string> parse_probe(const std::string& output) {
    std::map<std::string, std::string> results;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        size_t space = line.find(' ');
        std::string check = line.substr(0, space);
        results[check] = space == std::string::npos ? "" : line.substr(space + 1);
    }
    return results;
}

// Opens `fd` again through /proc/self/fd for writing, which is what a container does with a
// held /proc/PID/exe once the runtime has exited. Returns 0 when that succeeds (the fd is
// closed again without writing), else the errno.
int reopen_for_writing(int fd) {
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    int writable = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (writable < 0) {
        return errno;
    }
    close(writable);
    return 0;
}

// Returns the value of `field` in /proc/PID/status without the tab after the colon, or "".
std::string status_field(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(field + ":\t", 0) == 0) {
            return line.substr(field.size() + 2);
        }
    }
    return "";
}

// Returns the pid of `pid` in the innermost pid namespace (the last field of NSpid), or 0.
pid_t inner_pid(pid_t pid) {
    std::string nspid = status_field(pid, "NSpid");
    size_t tab = nspid.rfind('\t');
    return static_cast<pid_t>(std::atoi(nspid.substr(tab == std::string::npos ? 0 : tab).c_str()));
}

std::string namespace_of(pid_t pid) {
    std::error_code error;
    return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/pid", error);
}

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Returns the processes in the pid namespace of `init_pid` whose executable is not the rootfs's
// busybox.
std::vector<pid_t> runtime_processes(pid_t init_pid) {
    std::vector<pid_t> found;
    struct stat busybox {};
    if (stat(OCIRUN_ROOTFS "/bin/busybox", &busybox) != 0) {
        return found;
    }
    std::string container_ns = namespace_of(init_pid);
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        pid_t pid = std::atoi(name.c_str());
        struct stat exe {};
        if (namespace_of(pid) == container_ns &&
            stat(("/proc/" + name + "/exe").c_str(), &exe) == 0 && !same_file(exe, busybox)) {
            found.push_back(pid);
        }
    }
    return found;
}

// Waits up to 10 seconds for a runtime process in the container for which `ready` returns
// true. Returns its pid, or 0 on timeout.
pid_t wait_for_runtime_process(pid_t init_pid, const std::function<bool(pid_t)>& ready) {
    for (int i = 0; i < 200; ++i) {
        for (pid_t pid : runtime_processes(init_pid)) {
            if (ready(pid)) {
                return pid;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 0;
}

// Returns whether the seccomp filter of `pid` is loaded ("Seccomp: 2" in /proc/PID/status).
bool filter_loaded(pid_t pid) {
    return status_field(pid, "Seccomp") == "2";
}

// A unix socket at linux.seccomp.listenerPath listening with a backlog of 0. The kernel queues
// one connection, init's, that the test does not accept, so the next connect(2), the runtime's for
// an exec'd process, blocks until accept_one.
class BlockingListener {
  public:
    explicit BlockingListener(const std::string& path)
        : fd_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        bound_ = fd_ >= 0 &&
                 bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                 listen(fd_, 0) == 0;
    }
    ~BlockingListener() { close(fd_); }
    BlockingListener(const BlockingListener&) = delete;
    BlockingListener& operator=(const BlockingListener&) = delete;

    bool bound() const { return bound_; }
    // Accepts and closes the oldest queued connection, which lets a blocked connect finish.
    void accept_one() { close(accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)); }

  private:
    int fd_;
    bool bound_ = false;
};

// A profile that allows everything and notifies the listener of mknodat, which neither busybox
// nor the runtime calls in these tests.
nlohmann::json notify_profile(const std::string& listener_path) {
    return {{"defaultAction", "SCMP_ACT_ALLOW"},
            {"listenerPath", listener_path},
            {"syscalls", {{{"names", {"mknodat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
}

// Pid 1 waits until the test names a pid in /attack/target, probes it and leaves the result in
// /attack/probe.
constexpr const char* kProbeOnRequest =
    "while [ ! -s /attack/target ]; do usleep 10000; done; "
    "/probe/proc-access-probe $(cat /attack/target) > /attack/probe.tmp 2>&1; "
    "mv /attack/probe.tmp /attack/probe; sleep 100";

// Writes `pid` to /attack/target and returns the probe's results.
std::map<std::string, std::string> probe_from_init(const AttackContainer& attack, pid_t pid) {
    std::string target = attack.attack_dir + "/target";
    write_file(target + ".tmp", std::to_string(pid) + "\n");
    std::filesystem::rename(target + ".tmp", target);
    return parse_probe(wait_for_file(attack.attack_dir + "/probe", 10));
}

TEST(SecuritySelfExe, InitWaitingForStartNotDumpable) {
    PrivateRuntime runtime;
    AttackContainer attack({"/bin/true"});
    mount_probe(attack.container.config);
    CommandResult created = attack.container.create();
    ASSERT_EQ(created.status, 0) << created.err;
    pid_t init = attack.container.state().at("pid").get<int>();
    int exe_fd = open(("/proc/" + std::to_string(init) + "/exe").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(exe_fd, 0) << std::strerror(errno);

    // The probe is exec'd with the container's user and capabilities, the same as init's now.
    CommandResult probe =
        attack.container.ocirun({"exec", attack.container.id(), "/probe/proc-access-probe", "1"});
    ASSERT_EQ(probe.status, 0) << probe.err;
    std::map<std::string, std::string> results = parse_probe(probe.out);
    EXPECT_EQ(results["exe-read"], "EACCES") << probe.out;
    EXPECT_EQ(results["exe-write"], "EACCES") << probe.out;
    EXPECT_EQ(results["ptrace"], "EPERM") << probe.out;

    CommandResult started = attack.container.ocirun({"start", attack.container.id()});
    ASSERT_EQ(started.status, 0) << started.err;
    for (int i = 0; i < 200 && process_exists(init); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_FALSE(process_exists(init));
    int reopened = reopen_for_writing(exe_fd);
    close(exe_fd);
    EXPECT_NE(reopened, 0) << "init's executable opened for writing after init exited";
}

TEST(SecuritySelfExe, ExecProcessNotDumpableBeforeExecve) {
    PrivateRuntime runtime;
    AttackContainer attack({"/bin/sh", "-c", kProbeOnRequest});
    mount_probe(attack.container.config);
    std::string listener_path = attack.attack_dir + "/listener.sock";
    BlockingListener listener(listener_path);
    ASSERT_TRUE(listener.bound()) << std::strerror(errno);
    attack.container.config["linux"]["seccomp"] = notify_profile(listener_path);
    CommandResult started = attack.container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;
    pid_t init = attack.container.state().at("pid").get<int>();

    auto exec = std::async(std::launch::async, [&attack] {
        return attack.container.ocirun(
            {"exec", "--detach", "--no-new-privs", attack.container.id(), "/bin/true"});
    });
    pid_t target = wait_for_runtime_process(init, filter_loaded);
    if (target == 0) {
        listener.accept_one();
        FAIL() << "no exec'd process with a loaded filter appeared: " << exec.get().err;
    }
    EXPECT_EQ(status_field(target, "NoNewPrivs"), "1");
    int exe_fd = open(("/proc/" + std::to_string(target) + "/exe").c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(exe_fd, 0) << std::strerror(errno);

    std::map<std::string, std::string> results = probe_from_init(attack, inner_pid(target));
    EXPECT_EQ(results["exe-read"], "EACCES");
    EXPECT_EQ(results["exe-write"], "EACCES");
    EXPECT_EQ(results["ptrace"], "EPERM");

    listener.accept_one();
    CommandResult executed = exec.get();
    ASSERT_EQ(executed.status, 0) << executed.err;
    ASSERT_GE(exe_fd, 0);
    int reopened = reopen_for_writing(exe_fd);
    close(exe_fd);
    EXPECT_NE(reopened, 0) << "the exec'd process's executable opened for writing after exit";
}

// A pipe whose buffer is full, so that a process writing to it blocks until drain().
class FullPipe {
  public:
    FullPipe() {
        if (pipe2(fds_, O_CLOEXEC) != 0) {
            return;
        }
        // O_NONBLOCK only while filling: the flag belongs to the open file, which the writer
        // shares.
        fcntl(fds_[1], F_SETFL, O_NONBLOCK);
        std::string block(4096, 'x');
        while (write(fds_[1], block.data(), block.size()) > 0) {
        }
        fcntl(fds_[1], F_SETFL, 0);
    }
    ~FullPipe() {
        close(fds_[0]);
        close_write_end();
    }
    FullPipe(const FullPipe&) = delete;
    FullPipe& operator=(const FullPipe&) = delete;

    int write_end() const { return fds_[1]; }
    void close_write_end() {
        if (fds_[1] >= 0) {
            close(fds_[1]);
            fds_[1] = -1;
        }
    }
    // Reads until every writer has closed the pipe or `seconds` pass without data. Returns
    // what was read after the filler.
    std::string drain(int seconds) {
        std::string data;
        char buffer[4096];
        pollfd readable{fds_[0], POLLIN, 0};
        while (poll(&readable, 1, seconds * 1000) > 0) {
            ssize_t count = read(fds_[0], buffer, sizeof(buffer));
            if (count <= 0) {
                break;
            }
            data.append(buffer, static_cast<size_t>(count));
        }
        size_t text = data.find_first_not_of('x');
        return text == std::string::npos ? "" : data.substr(text);
    }

  private:
    int fds_[2] = {-1, -1};
};

// Starts `ocirun exec --detach` of `command` with stdin and stdout on /dev/null and stderr on
// `stderr_fd`. Returns the runtime's pid.
pid_t spawn_exec(const TestContainer& container, const std::string& command, int stderr_fd) {
    std::string binary = runtime_binary();
    std::vector<std::string> args = {binary,     "--root",       container.root(), "exec",
                                     "--detach", container.id(), command};
    std::vector<char*> argv;
    for (std::string& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(stderr_fd, 2);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

// Returns argv[0] of `pid` from /proc/PID/cmdline.
std::string first_argument(pid_t pid) {
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    std::string argument;
    std::getline(cmdline, argument, '\0');
    return argument;
}

// Pid 1 waits for a pid in /attack/target, keeps its /proc/PID/exe open and, after PID has
// exited, opens it again for writing. The probe's lines reach /attack/probe as it prints them.
constexpr const char* kHoldOnRequest =
    "while [ ! -s /attack/target ]; do usleep 10000; done; "
    "/probe/proc-access-probe --hold-exe $(cat /attack/target) > /attack/probe 2>&1; "
    "touch /attack/done; sleep 100";

// `exec` of a `#!/proc/self/exe` script makes the kernel run, as a container process, the file
// that the exec'd process's /proc/self/exe names. That process is dumpable, so the attacker
// may hold its exe. The runtime it runs rejects the script's path as a command and writes
// the error to stderr, a full pipe here, which keeps it running until the test drains the pipe.
TEST(SecuritySelfExe, ExecScriptCannotWriteRuntime) {
    PrivateRuntime runtime;
    AttackContainer attack({"/bin/sh", "-c", kHoldOnRequest});
    mount_probe(attack.container.config);
    // The host's loader and libraries, because a runtime built without -static needs them to run
    // in the busybox rootfs.
    for (const char* dir : {"/lib", "/lib64"}) {
        attack.container.config["mounts"].push_back({{"destination", dir},
                                                     {"type", "bind"},
                                                     {"source", dir},
                                                     {"options", {"rbind", "ro"}}});
    }
    write_file(attack.attack_dir + "/evil", "#!/proc/self/exe\n", 0755);
    CommandResult started = attack.container.run({"--detach"});
    ASSERT_EQ(started.status, 0) << started.err;
    pid_t init = attack.container.state().at("pid").get<int>();

    FullPipe pipe;
    pid_t runtime_pid = spawn_exec(attack.container, "/attack/evil", pipe.write_end());
    ASSERT_GT(runtime_pid, 0);
    pipe.close_write_end();
    pid_t interpreter = wait_for_runtime_process(
        init, [](pid_t pid) { return first_argument(pid) == "/proc/self/exe"; });
    if (interpreter == 0) {
        pipe.drain(5);
        waitpid(runtime_pid, nullptr, 0);
        FAIL() << "the script's runtime process did not appear";
    }

    write_file(attack.attack_dir + "/target.tmp", std::to_string(inner_pid(interpreter)) + "\n");
    std::filesystem::rename(attack.attack_dir + "/target.tmp", attack.attack_dir + "/target");
    for (int i = 0; i < 200 && read_file(attack.attack_dir + "/probe").empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string error = pipe.drain(10);
    int status = 0;
    waitpid(runtime_pid, &status, 0);
    EXPECT_EQ(status, 0) << "ocirun exec failed";
    EXPECT_NE(error.find("/attack/evil"), std::string::npos) << error;

    wait_for_file(attack.attack_dir + "/done", 15);
    ASSERT_TRUE(path_exists(attack.attack_dir + "/done")) << "the probe did not finish";
    std::string output = read_file(attack.attack_dir + "/probe");
    std::map<std::string, std::string> results = parse_probe(output);
    EXPECT_EQ(results["exe-held"], "ok") << output;
    EXPECT_NE(results["reopen"], "") << output;
    EXPECT_NE(results["reopen"], "ok") << output;
    EXPECT_NE(results["reopen"], "timeout") << output;
}

}  // namespace
}  // namespace ocirun::testing
