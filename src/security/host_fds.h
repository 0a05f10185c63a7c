// Checks run just before execve that nothing of the host stays reachable from the container
// process through an fd or its working directory (the CVE-2024-21626 class).
#pragma once

namespace ocirun::security {

// Returns true when the directory open at `fd` lies under the calling process's root, by
// walking ".." up from it: inside the root the walk reaches "/", outside it stops at the root
// of its mount tree without passing "/".
bool directory_inside_root(int fd);

// Throws Error naming the fd when an fd from `first_unpassed_fd` up lacks FD_CLOEXEC (it would
// be inherited by the program), or when any open fd, close-on-exec or not, is a directory
// outside the process's root (a chdir through /proc/self/fd/N could still enter it). Fds below
// `first_unpassed_fd` that are not directories are the ones passed to the container on purpose
// (stdio, LISTEN_FDS, --preserve-fds) and are allowed. Call after the fds are marked
// close-on-exec and the working directory is set.
void verify_no_host_fds_leak(int first_unpassed_fd);

// Throws Error unless the working directory lies under the process's root, checked with
// directory_inside_root on "." and without getcwd(2), which a seccomp profile may block. Call
// after chdir to process.cwd.
void verify_cwd_inside_root();

}  // namespace ocirun::security
