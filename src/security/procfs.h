// Opening files of a real procfs, so that writes to /proc/self/... and /proc/sys/... cannot be
// redirected by a container image (the CVE-2019-16884 and CVE-2025-52881 class).
#pragma once

#include <fcntl.h>

#include <string>

namespace ocirun::security {

// Opens `path` (such as "/proc/self/attr/exec", "self/oom_score_adj" or "/proc/sys/net/...")
// in a procfs that no container mount can shadow: a new detached procfs instance (fsopen and
// fsmount), or, where this process may not create one, the /proc of its root after checking
// that it is the root of a procfs. Returns an O_CLOEXEC fd. Throws Error when the file is not
// on procfs, or when resolving it would cross a symlink, magic link or mount.
int open_procfs_file(const std::string& path, int flags);

// Opens `path` below `proc_root_fd`, which must be the root directory of a procfs, with the
// same checks as open_procfs_file. "self" and "thread-self" are the only symlinks followed.
// Exposed so that tests can pass a fake procfs.
int open_procfs_file_at(int proc_root_fd, const std::string& path, int flags);

// Returns an O_PATH fd of the root of a procfs that no container mount can shadow.
int open_procfs_root();

// Writes `content` to `path` below `proc_root_fd`, opened with `flags` through
// open_procfs_file_at. It makes one write(2) call, because files such as uid_map or
// timens_offsets accept a value only in a single write. Throws Error naming the path when the
// open or the write fails, or when the write is short.
void write_procfs_file_at(int proc_root_fd, const std::string& path, const std::string& content,
                          int flags = O_WRONLY);

// Writes `content` to `path` like write_procfs_file_at, in the procfs of open_procfs_root.
void write_procfs_file(const std::string& path, const std::string& content, int flags = O_WRONLY);

}  // namespace ocirun::security
