#include "process/sibling_fork.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.h"

namespace ocirun::process {

void fork_sibling(const SyncSocket& sync, const char* role) {
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) {
        throw_errno(std::string("create pipe for ") + role);
    }
    clone_args args;
    std::memset(&args, 0, sizeof(args));
    args.flags = CLONE_PARENT;
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0) {
        throw_errno(std::string("fork ") + role);
    }

    if (pid == 0) {
        close(go[1]);
        char byte = 0;
        ssize_t count;
        do {
            count = read(go[0], &byte, 1);
        } while (count < 0 && errno == EINTR);
        // Without the byte the parent failed before sending the pid; the runtime reports that.
        if (count != 1) {
            _exit(1);
        }
        close(go[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        return;
    }

    close(go[0]);
    sync.send(SyncMessage::init_pid, std::to_string(pid));
    (void)!write(go[1], "1", 1);
    _exit(0);
}

}  // namespace ocirun::process
