// ocirun_peak_rss: the largest resident set of any process in a command's process tree.
// Usage: ocirun_peak_rss COMMAND [ARG...]   (prints the peak in KiB on stdout; the command's
// stdout goes to stderr)
//
// The program is a child subreaper, so every descendant that loses its parent is reparented to
// it and reaped here. The kernel then folds each reaped process's peak RSS into
// getrusage(RUSAGE_CHILDREN).ru_maxrss, including the peak of the memory it had before an
// execve. Processes still alive when COMMAND exits, such as the container process that `create`
// leaves behind, are read from /proc/PID/status (VmHWM) instead.
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Returns the PPid and VmHWM (KiB) fields of /proc/PID/status; both are 0 when unreadable.
void read_status(long pid, long* parent, long* high_water_kib) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/status", pid);
    *parent = 0;
    *high_water_kib = 0;
    FILE* status = std::fopen(path, "r");
    if (status == nullptr) {
        return;
    }
    char line[256];
    while (std::fgets(line, sizeof line, status) != nullptr) {
        std::sscanf(line, "PPid: %ld", parent);
        std::sscanf(line, "VmHWM: %ld", high_water_kib);
    }
    std::fclose(status);
}

// Returns the largest VmHWM among the live children of this process.
// NOTE: grandchildren of a live child are not visited; no runtime measured here leaves any.
long live_children_peak_kib() {
    DIR* proc = opendir("/proc");
    if (proc == nullptr) {
        std::perror("ocirun_peak_rss: opendir /proc");
        std::exit(1);
    }
    long peak = 0;
    while (dirent* entry = readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') {
            continue;
        }
        long parent = 0;
        long high_water = 0;
        read_status(std::strtol(entry->d_name, nullptr, 10), &parent, &high_water);
        if (parent == getpid()) {
            peak = std::max(peak, high_water);
        }
    }
    closedir(proc);
    return peak;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        std::perror("ocirun_peak_rss: prctl PR_SET_CHILD_SUBREAPER");
        return 1;
    }

    pid_t command = fork();
    if (command < 0) {
        std::perror("ocirun_peak_rss: fork");
        return 1;
    }
    if (command == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execvp(argv[1], argv + 1);
        std::fprintf(stderr, "ocirun_peak_rss: execute %s: %s\n", argv[1], std::strerror(errno));
        _exit(127);
    }

    int status = 0;
    pid_t reaped;
    // Reaps orphans that exit while COMMAND runs, then COMMAND itself.
    while ((reaped = waitpid(-1, &status, 0)) != command) {
        if (reaped < 0 && errno != EINTR) {
            std::perror("ocirun_peak_rss: waitpid");
            return 1;
        }
    }
    int command_status = status;
    while (waitpid(-1, &status, WNOHANG) > 0) {
    }

    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    std::printf("%ld\n", std::max(usage.ru_maxrss, live_children_peak_kib()));
    if (WIFSIGNALED(command_status)) {
        std::fprintf(stderr, "ocirun_peak_rss: %s killed by signal %d\n", argv[1],
                     WTERMSIG(command_status));
        return 1;
    }
    if (WEXITSTATUS(command_status) != 0) {
        std::fprintf(stderr, "ocirun_peak_rss: %s failed with exit status %d\n", argv[1],
                     WEXITSTATUS(command_status));
        return 1;
    }
    return 0;
}
