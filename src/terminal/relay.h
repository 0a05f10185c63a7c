// The foreground loop of `run` and `exec`: copying between the caller's stdio and the pty
// master, passing window size changes, and forwarding signals until the process exits.
//
// Call order for a process with a terminal (C = the container's init or exec'd process,
// P = the runtime):
//
//   C, after pivot_root:   Pty pty = open_pty();             // the container's /dev/ptmx
//                          set_window_size(pty.peer.get(), process.consoleSize) when given
//                          mount_console(pty.peer.get(), dev_dir_fd)   // init only, not exec
//                          make_controlling_terminal(pty.peer.get());
//                          send_fd(sync_socket, pty.master.get(), frame);  // then close both
//   P:                     ReceivedFd master = receive_fd(sync_socket);  // .payload is frame
//   P with --console-socket: send_console(path, master.fd.get()), then close the master.
//   P in the foreground:   RawMode raw(STDIN_FILENO);
//                          relay_until_exit(master.fd.get(), pidfd, forward);
//                          raw.restore() or let it go out of scope, then reap the process.
//
// A foreground process without a terminal uses relay_until_exit with master_fd -1 to forward
// signals only. Block the forwarded signals (forwarded_signals()) before clone, so a signal
// that arrives before the loop starts stays pending and is forwarded once it does.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <functional>

namespace ocirun::terminal {

// After the process exits, output still arriving on the master is copied until the master has
// been idle this long, or until every peer is closed.
inline constexpr int kDrainIdleMilliseconds = 100;

struct RelayFds {
    int input = STDIN_FILENO;    // copied to the master, and its window size passed on
    int output = STDOUT_FILENO;  // receives what the process writes to its terminal
};

// Returns every signal the loop passes to `forward_signal`: all except SIGKILL and SIGSTOP
// (they cannot be caught), SIGCHLD (the pidfd reports the exit), SIGWINCH (the loop resizes
// the master instead) and SIGPIPE (raised by the runtime's own writes).
sigset_t forwarded_signals();

// Runs until the process behind `pidfd` exits and the master output is drained. Blocks the
// forwarded signals and SIGWINCH for the length of the loop, reads them from a signalfd, and
// restores the caller's signal mask on return or throw. Signals still pending when the process
// has exited are discarded. Does not reap the process, close `master_fd` or touch the terminal
// mode of `fds.input` (use RawMode). `master_fd` may be -1: then only signals are handled.
void relay_until_exit(int master_fd, int pidfd, const std::function<void(int)>& forward_signal,
                      RelayFds fds = {});

}  // namespace ocirun::terminal
