// Running the runtime binary and preparing bundles for integration tests.
#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ocirun::testing {

namespace {

int64_t now_ms() {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// Appends what can be read from the non-blocking `fd` now.
void drain(int fd, std::string& output) {
    char buffer[4096];
    ssize_t count;
    while ((count = read(fd, buffer, sizeof(buffer))) > 0) {
        output.append(buffer, static_cast<size_t>(count));
    }
}

nlohmann::json default_config(const std::vector<std::string>& args) {
    return {
        {"ociVersion", "1.0.2"},
        {"process",
         {{"terminal", false},
          {"user", {{"uid", 0}, {"gid", 0}}},
          {"args", args},
          {"env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
          {"cwd", "/"},
          {"capabilities",
           {{"bounding", {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"}},
            {"effective", {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"}},
            {"permitted", {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"}}}},
          {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
          {"noNewPrivileges", true}}},
        {"root", {{"path", OCIRUN_ROOTFS}, {"readonly", true}}},
        {"hostname", "ocirun-test"},
        {"mounts",
         {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
          {{"destination", "/dev"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
          {{"destination", "/dev/pts"},
           {"type", "devpts"},
           {"source", "devpts"},
           {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
          {{"destination", "/tmp"},
           {"type", "tmpfs"},
           {"source", "tmpfs"},
           {"options", {"nosuid", "nodev"}}}}},
        {"linux",
         {{"namespaces",
           {{{"type", "pid"}},
            {{"type", "network"}},
            {{"type", "ipc"}},
            {{"type", "uts"}},
            {{"type", "mount"}}}},
          {"maskedPaths", {"/proc/kcore", "/proc/keys"}},
          {"readonlyPaths", {"/proc/sys", "/proc/sysrq-trigger"}}}},
    };
}

std::string unique_id() {
    static std::atomic<int> counter{0};
    return "itest-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

std::string runtime_binary() {
    const char* override_binary = getenv("OCIRUN_TEST_BINARY");
    return override_binary != nullptr ? override_binary : OCIRUN_BINARY;
}

int timeout_scale() {
    const char* text = getenv("OCIRUN_TEST_TIMEOUT_SCALE");
    int scale = text != nullptr ? atoi(text) : 1;
    return scale > 0 ? scale : 1;
}

std::string make_temp_dir(const std::string& prefix) {
    std::string pattern = "/tmp/" + prefix + "-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    return pattern;
}

CommandResult run_command(const std::vector<std::string>& argv, int timeout_ms,
                          const std::map<int, int>& extra_fds) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        // Extra fds are first moved out of the way, then placed, so that none overwrites
        // another.
        std::map<int, int> moved;
        for (const auto& [target, source] : extra_fds) {
            moved[target] = fcntl(source, F_DUPFD, 100);
        }
        for (const auto& [target, source] : moved) {
            dup2(source, target);
        }
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    // The container may inherit the pipes and outlive the command (create, run --detach), so
    // the command's exit, not end of file, ends the capture.
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    fcntl(err[0], F_SETFL, O_NONBLOCK);
    CommandResult result;
    int64_t deadline = now_ms() + int64_t{timeout_ms} * timeout_scale();
    for (bool exited = false; !exited;) {
        pollfd fds[3] = {{pidfd, POLLIN, 0}, {out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        int left = static_cast<int>(deadline - now_ms());
        if (left <= 0 || poll(fds, 3, left) == 0) {
            kill(pid, SIGKILL);
            result.err += "\n[harness: killed after timeout]";
        }
        exited = left <= 0 || (fds[0].revents & POLLIN) != 0;
        drain(out[0], result.out);
        drain(err[0], result.err);
    }
    close(pidfd);
    close(out[0]);
    close(err[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

TestContainer::TestContainer(std::vector<std::string> args)
    : config(default_config(args)),
      id_(unique_id()),
      bundle_(make_temp_dir("ocirun-bundle")),
      root_(make_temp_dir("ocirun-root")) {
    config["linux"]["cgroupsPath"] = "/ocirun-test/" + id_;
}

TestContainer::~TestContainer() {
    run_command({runtime_binary(), "--root", root_, "delete", "--force", id_}, 10000);
    std::filesystem::remove_all(bundle_);
    std::filesystem::remove_all(root_);
}

void TestContainer::write_config() const {
    std::ofstream file(bundle_ + "/config.json");
    file << config.dump(2);
}

CommandResult TestContainer::ocirun(const std::vector<std::string>& command_and_flags,
                                    const std::map<int, int>& extra_fds) const {
    std::vector<std::string> argv = {runtime_binary(), "--root", root_};
    argv.insert(argv.end(), command_and_flags.begin(), command_and_flags.end());
    return run_command(argv, 10000, extra_fds);
}

CommandResult TestContainer::run(const std::vector<std::string>& flags) const {
    write_config();
    std::vector<std::string> command = {"run", "--bundle", bundle_};
    command.insert(command.end(), flags.begin(), flags.end());
    command.push_back(id_);
    return ocirun(command);
}

CommandResult TestContainer::create(const std::vector<std::string>& flags) const {
    write_config();
    std::vector<std::string> command = {"create", "--bundle", bundle_};
    command.insert(command.end(), flags.begin(), flags.end());
    command.push_back(id_);
    return ocirun(command);
}

nlohmann::json TestContainer::state() const {
    CommandResult result = ocirun({"state", id_});
    if (result.status != 0) {
        throw std::runtime_error("state failed: " + result.err);
    }
    return nlohmann::json::parse(result.out);
}

std::string TestContainer::status() const {
    return state().at("status").get<std::string>();
}

std::vector<std::string> TestContainer::cgroup_dirs() const {
    std::ifstream file(state_dir() + "/state.json");
    std::vector<std::string> dirs;
    if (!file) {
        return dirs;
    }
    nlohmann::json state = nlohmann::json::parse(file, nullptr, false);
    if (state.is_discarded() || !state.contains("cgroup_paths")) {
        return dirs;
    }
    for (const auto& [controller, path] : state["cgroup_paths"].items()) {
        dirs.push_back(path.get<std::string>());
    }
    return dirs;
}

std::string TestContainer::cgroup_dir(const std::string& controller) const {
    std::ifstream file(state_dir() + "/state.json");
    nlohmann::json state = nlohmann::json::parse(file, nullptr, false);
    if (state.is_discarded() || !state.contains("cgroup_paths") ||
        !state["cgroup_paths"].contains(controller)) {
        return "";
    }
    return state["cgroup_paths"][controller].get<std::string>();
}

std::string host_namespace(const std::string& name) {
    std::error_code error;
    return std::filesystem::read_symlink("/proc/self/ns/" + name, error).string();
}

std::string read_trimmed(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    std::string contents = text.str();
    while (!contents.empty() && contents.back() == '\n') {
        contents.pop_back();
    }
    return contents;
}

bool path_exists(const std::string& path) {
    struct stat status;
    return lstat(path.c_str(), &status) == 0;
}

// tests/helpers is built beside tests/integration, the directory of this test binary.
std::string helpers_dir() {
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (length <= 0) {
        return "";
    }
    std::filesystem::path exe(std::string(path, static_cast<size_t>(length)));
    return (exe.parent_path().parent_path() / "helpers").string();
}

bool process_exists(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    size_t close_paren = text.rfind(')');
    if (!stat || close_paren == std::string::npos || close_paren + 2 >= text.size()) {
        return false;
    }
    char state = text[close_paren + 2];
    return state != 'Z' && state != 'X';
}

}  // namespace ocirun::testing
