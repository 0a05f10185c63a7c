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

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: proc-access-probe PID\n");
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
