// Allocating a pty and attaching it to the calling process.
#include "terminal/pty.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace ocirun::terminal {

Pty open_pty(const std::string& ptmx_path) {
    Pty pty;
    pty.master.reset(::open(ptmx_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.master.valid()) {
        throw_errno("open " + quote(ptmx_path));
    }
    int unlock = 0;
    if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) < 0) {
        throw_errno("unlock pty " + quote(ptmx_path));
    }
    pty.peer.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.peer.valid()) {
        throw_errno("open the peer of pty " + quote(ptmx_path));
    }
    return pty;
}

int pty_number(int master_fd) {
    unsigned int number = 0;
    if (::ioctl(master_fd, TIOCGPTN, &number) < 0) {
        throw_errno("get the pty number of fd " + std::to_string(master_fd));
    }
    return static_cast<int>(number);
}

void set_window_size(int fd, WindowSize size) {
    winsize value{};
    value.ws_row = size.rows;
    value.ws_col = size.columns;
    if (::ioctl(fd, TIOCSWINSZ, &value) < 0) {
        throw_errno("set the window size of fd " + std::to_string(fd) + " to " +
                    std::to_string(size.rows) + "x" + std::to_string(size.columns));
    }
}

WindowSize window_size(int fd) {
    winsize value{};
    if (::ioctl(fd, TIOCGWINSZ, &value) < 0) {
        throw_errno("get the window size of fd " + std::to_string(fd));
    }
    return WindowSize{value.ws_row, value.ws_col};
}

namespace {

// Returns an O_PATH fd of `console` in `dev_dir_fd`, creating an empty file when it is missing.
UniqueFd open_console_target(int dev_dir_fd) {
    constexpr const char* kName = "console";
    UniqueFd target(::openat(dev_dir_fd, kName, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!target.valid() && errno == ENOENT) {
        UniqueFd created(::openat(dev_dir_fd, kName,
                                  O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!created.valid() && errno != EEXIST) {
            throw_errno("create `/dev/console`");
        }
        target.reset(::openat(dev_dir_fd, kName, O_PATH | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!target.valid()) {
        throw_errno("open `/dev/console`");
    }

    struct stat status {};
    if (::fstat(target.get(), &status) < 0) {
        throw_errno("stat `/dev/console`");
    }
    if (S_ISLNK(status.st_mode) || S_ISDIR(status.st_mode)) {
        throw_error("mount the console on `/dev/console`: it is a symlink or a directory");
    }
    return target;
}

}  // namespace

void mount_console(int peer_fd, int dev_dir_fd) {
    UniqueFd target = open_console_target(dev_dir_fd);

    UniqueFd tree(::open_tree(peer_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
    if (!tree.valid()) {
        throw_errno("bind-mount the pty on `/dev/console`: open_tree");
    }
    if (::move_mount(tree.get(), "", target.get(), "",
                     MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
        throw_errno("bind-mount the pty on `/dev/console`: move_mount");
    }
}

void make_controlling_terminal(int peer_fd) {
    if (::getsid(0) != ::getpid() && ::setsid() < 0) {
        throw_errno("start a new session for the terminal");
    }
    if (::ioctl(peer_fd, TIOCSCTTY, 0) < 0) {
        throw_errno("make fd " + std::to_string(peer_fd) + " the controlling terminal");
    }
    for (int target = STDIN_FILENO; target <= STDERR_FILENO; ++target) {
        if (peer_fd != target && ::dup2(peer_fd, target) < 0) {
            throw_errno("dup2 the terminal to fd " + std::to_string(target));
        }
    }
}

}  // namespace ocirun::terminal
