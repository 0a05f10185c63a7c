// proc-access-probe PID: reports what the calling process may do to process PID, one line per
// check. The tests use it to show that a runtime process in a container is non-dumpable until
// execve. The lines are:
//   owner UID GID      the owner of /proc/PID/status, which the kernel sets to root:root while
//                      a process started on the host is non-dumpable (/proc/PID itself always
//                      has the process's effective ids)
//   exe-read RESULT    open(/proc/PID/exe, O_RDONLY)
//   exe-write RESULT   open(/proc/PID/exe, O_WRONLY)
//   ptrace RESULT      ptrace(PTRACE_SEIZE, PID)
// RESULT is "ok" or the errno name. A seized process is released when the probe exits.
//
// proc-access-probe --hold-exe PID: opens /proc/PID/exe for reading and reports it as
// "exe-held RESULT". It then waits until PID has exited, at most 20 seconds, opens the held fd
// again through /proc/self/fd for writing, which is the CVE-2019-5736 attack, and reports that
// as "reopen RESULT" (the file is not written), or "reopen timeout".
// Linked statically, because it runs inside test containers whose busybox rootfs has no libc.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

void report(const char* check, int result) {
    if (result < 0) {
        const char* name = strerrorname_np(errno);
        printf("%s %s\n", check, name != nullptr ? name : "unknown-errno");
    } else {
        printf("%s ok\n", check);
    }
}

void report_open(const char* check, const char* path, int flags) {
    int fd = open(path, flags | O_CLOEXEC);
    report(check, fd);
    if (fd >= 0) {
        close(fd);
    }
}

// Returns whether /proc/PID/exe still names a file, which ends when PID exits.
bool has_executable(pid_t pid) {
    char exe[64];
    char target[256];
    snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
    return readlink(exe, target, sizeof(target)) >= 0;
}

int hold_exe(pid_t pid) {
    char exe[64];
    snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
    int held = open(exe, O_RDONLY | O_CLOEXEC);
    report("exe-held", held);
    // The test waits for this line before it lets PID exit.
    fflush(stdout);
    if (held < 0) {
        return 0;
    }
    for (int i = 0; i < 2000 && has_executable(pid); ++i) {
        usleep(10000);
    }
    if (has_executable(pid)) {
        printf("reopen timeout\n");
        return 0;
    }
    char held_path[64];
    snprintf(held_path, sizeof(held_path), "/proc/self/fd/%d", held);
    report_open("reopen", held_path, O_WRONLY);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "--hold-exe") == 0) {
        return hold_exe(static_cast<pid_t>(atoi(argv[2])));
    }
    if (argc != 2) {
        fprintf(stderr, "usage: proc-access-probe [--hold-exe] PID\n");
        return 2;
    }
    pid_t pid = static_cast<pid_t>(atoi(argv[1]));
    char status_path[64];
    char exe[64];
    snprintf(status_path, sizeof(status_path), "/proc/%d/status", pid);
    snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);

    struct stat status {};
    if (stat(status_path, &status) != 0) {
        perror(status_path);
        return 1;
    }
    printf("owner %u %u\n", status.st_uid, status.st_gid);
    report_open("exe-read", exe, O_RDONLY);
    report_open("exe-write", exe, O_WRONLY);
    report("ptrace", static_cast<int>(ptrace(PTRACE_SEIZE, pid, nullptr, nullptr)));
    return 0;
}
