// The container side of a terminal: allocating the pty and making it the process's console.
#pragma once

#include <cstdint>
#include <string>

#include "terminal/unique_fd.h"

namespace ocirun::terminal {

struct Pty {
    UniqueFd master;
    UniqueFd peer;  // the pts side, which becomes the process's stdio and controlling terminal
};

struct WindowSize {
    uint16_t rows = 0;
    uint16_t columns = 0;
};

// Opens `ptmx_path`, unlocks the pty and opens its peer with TIOCGPTPEER, so the peer comes
// from the same devpts instance as the master without a path lookup in /dev/pts. Both fds are
// close-on-exec and neither becomes a controlling terminal. Call it after pivot_root so that
// /dev/ptmx is the container's and the terminal is /dev/pts/0 of the container's devpts.
Pty open_pty(const std::string& ptmx_path = "/dev/ptmx");

// Returns the pty number of a master (TIOCGPTN); throws when `master_fd` is not a pty master.
int pty_number(int master_fd);

// Sets the window size of the terminal behind `fd` (TIOCSWINSZ).
void set_window_size(int fd, WindowSize size);
// Returns the window size of the terminal behind `fd` (TIOCGWINSZ).
WindowSize window_size(int fd);

// Bind-mounts the pty peer over `console` in the directory `dev_dir_fd` (the container's
// /dev), creating an empty regular file there first when it is missing. Rejects a `console`
// that is a symlink, so an image cannot redirect the mount. Uses open_tree and move_mount, so
// no path is resolved outside `dev_dir_fd`. The kernel clones only mounts of the caller's mount
// namespace, so the pty must come from a devpts mounted there (open_pty after pivot_root).
void mount_console(int peer_fd, int dev_dir_fd);

// Makes `peer_fd` the controlling terminal of the calling process and its stdin, stdout and
// stderr: starts a new session unless the process already leads one, then TIOCSCTTY and dup2.
// Does not close `peer_fd`.
void make_controlling_terminal(int peer_fd);

}  // namespace ocirun::terminal
