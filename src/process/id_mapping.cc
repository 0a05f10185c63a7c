// Writing a new user namespace's id maps, with newuidmap/newgidmap for an unprivileged runtime.
#include "process/id_mapping.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/error.h"
#include "base/log.h"
#include "process/namespaces.h"

namespace ocirun::process {

namespace {

// The helpers print one or two lines; more is cut so that a runaway helper cannot grow the
// error without bound.
constexpr size_t kMaxHelperOutput = 4096;

std::string join_words(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& word : words) {
        text += (text.empty() ? "" : " ") + word;
    }
    return text;
}

std::string describe_mappings(const std::vector<spec::IdMapping>& mappings) {
    std::string text = format_id_map(mappings);
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    for (char& c : text) {
        if (c == '\n') {
            c = ',';
        }
    }
    return "[" + text + "]";
}

void write_proc_file(pid_t pid, const std::string& name, const std::string& content,
                     const std::string& what) {
    std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    ssize_t written = write(fd, content.data(), content.size());
    int saved = errno;
    close(fd);
    if (written < 0) {
        throw_errno("write " + what + " to " + quote(path), saved);
    }
    if (static_cast<size_t>(written) != content.size()) {
        throw_error("write " + what + " to " + quote(path) + ": short write");
    }
}

std::string read_all(int fd) {
    std::string output;
    char buffer[512];
    for (;;) {
        ssize_t count = read(fd, buffer, sizeof(buffer));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            break;
        }
        if (output.size() < kMaxHelperOutput) {
            output.append(buffer, static_cast<size_t>(count));
        }
    }
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) {
        output.pop_back();
    }
    return output;
}

[[noreturn]] void exec_helper(const std::vector<std::string>& command, int output_fd) {
    dup2(output_fd, STDOUT_FILENO);
    dup2(output_fd, STDERR_FILENO);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
    }
    std::vector<char*> argv;
    for (const std::string& word : command) {
        argv.push_back(const_cast<char*>(word.c_str()));
    }
    argv.push_back(nullptr);
    // The helpers are setuid root, so they get a fixed environment rather than the caller's.
    char path_variable[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    char* envp[] = {path_variable, nullptr};
    execve(argv[0], argv.data(), envp);
    _exit(127);
}

// Runs the helper and throws Error with its output and `hint` when it fails.
void run_helper(const std::vector<std::string>& command, const std::string& what,
                const std::string& hint) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw_errno("create a pipe for " + quote(command.front()));
    }
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        throw_errno("fork " + quote(command.front()), saved);
    }
    if (pid == 0) {
        exec_helper(command, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    std::string output = read_all(pipe_fds[0]);
    close(pipe_fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw_errno("wait for " + quote(command.front()));
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return;
    }
    std::string result = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                           : "killed by signal " + std::to_string(WTERMSIG(status));
    throw_error("write " + what + " with " + quote(join_words(command)) + ": " + result +
                (output.empty() ? "" : ": " + output) + "; " + hint);
}

// Returns where the helper looks up the host ids that `euid` may map, for its error message.
std::string subordinate_id_hint(const std::string& kind, uid_t euid) {
    std::string file = "/etc/sub" + kind;
    std::string user = std::to_string(euid);
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (getpwuid_r(euid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
        user = found->pw_name;
    }
    return "host ids other than the caller's own must lie in a range that " + file +
           " grants to user " + quote(user);
}

// Writes one map with the helper; `kind` is "uid" or "gid".
void write_with_helper(pid_t pid, const std::vector<spec::IdMapping>& mappings,
                       const std::string& kind) {
    std::string name = "new" + kind + "map";
    std::string what = kind + " mappings " + describe_mappings(mappings);
    std::optional<std::string> helper = find_id_map_helper(name);
    if (!helper) {
        throw_error("write " + what + ": " + name +
                        " not found; an unprivileged runtime needs it for any mapping other "
                        "than its own " +
                        kind + " alone (Debian package uidmap)",
                    ErrorKind::unsupported);
    }
    run_helper(id_map_helper_command(*helper, pid, mappings), what,
               subordinate_id_hint(kind, geteuid()));
}

void write_directly(pid_t pid, const std::vector<spec::IdMapping>& mappings,
                    const std::string& kind) {
    std::string what = kind + " mappings " + describe_mappings(mappings);
    write_proc_file(pid, kind + "_map", format_id_map(mappings), what);
}

}  // namespace

IdMapWriter choose_id_map_writer(const std::vector<spec::IdMapping>& mappings, uid_t euid,
                                 unsigned own_id) {
    if (euid == 0) {
        return IdMapWriter::direct;
    }
    if (mappings.size() == 1 && mappings.front().host_id == own_id && mappings.front().size == 1) {
        return IdMapWriter::direct;
    }
    return IdMapWriter::helper;
}

std::vector<std::string> id_map_helper_command(const std::string& helper, pid_t pid,
                                               const std::vector<spec::IdMapping>& mappings) {
    std::vector<std::string> command = {helper, std::to_string(pid)};
    for (const spec::IdMapping& mapping : mappings) {
        command.push_back(std::to_string(mapping.container_id));
        command.push_back(std::to_string(mapping.host_id));
        command.push_back(std::to_string(mapping.size));
    }
    return command;
}

std::optional<std::string> find_id_map_helper(const std::string& name) {
    std::vector<std::string> directories;
    if (const char* path = std::getenv("PATH")) {
        std::string list = path;
        size_t start = 0;
        for (size_t colon = list.find(':');; colon = list.find(':', start)) {
            std::string directory = list.substr(start, colon - start);
            if (!directory.empty()) {
                directories.push_back(directory);
            }
            if (colon == std::string::npos) {
                break;
            }
            start = colon + 1;
        }
    }
    directories.push_back("/usr/bin");
    directories.push_back("/bin");
    for (const std::string& directory : directories) {
        std::string candidate = directory + "/" + name;
        struct stat status {};
        if (stat(candidate.c_str(), &status) == 0 && S_ISREG(status.st_mode) &&
            access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

void write_container_id_maps(pid_t pid, const std::vector<spec::IdMapping>& uid_mappings,
                             const std::vector<spec::IdMapping>& gid_mappings) {
    uid_t euid = geteuid();
    if (!uid_mappings.empty()) {
        if (choose_id_map_writer(uid_mappings, euid, euid) == IdMapWriter::direct) {
            write_directly(pid, uid_mappings, "uid");
        } else {
            write_with_helper(pid, uid_mappings, "uid");
        }
    }
    if (gid_mappings.empty()) {
        return;
    }
    if (choose_id_map_writer(gid_mappings, euid, getegid()) == IdMapWriter::helper) {
        write_with_helper(pid, gid_mappings, "gid");
        return;
    }
    if (euid != 0) {
        // Without CAP_SETGID over the parent namespace, the kernel accepts gid_map only after
        // setgroups is denied, so that the container cannot drop supplementary groups.
        write_proc_file(pid, "setgroups", "deny", "\"deny\"");
    }
    write_directly(pid, gid_mappings, "gid");
}

}  // namespace ocirun::process
