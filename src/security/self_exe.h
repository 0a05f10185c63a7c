// Running the runtime from a write-protected image of its binary, so that a container process
// cannot overwrite the host's binary through /proc/self/exe.
#pragma once

#include <functional>

#include "security/container_command.h"

namespace ocirun::security {

// Decides from the command line whether this invocation runs code in a container.
using SealPredicate = std::function<bool(int argc, char** argv)>;

// Returns true when `fd` is a memfd carrying every seal that makes it immutable: F_SEAL_SEAL,
// F_SEAL_SHRINK, F_SEAL_GROW and F_SEAL_WRITE.
bool is_sealed_memfd(int fd);

// Returns true when nobody can write the file open at `fd` through its path: it is a sealed
// memfd, or it lies on a read-only mount.
bool is_write_protected(int fd);

// Makes a detached read-only bind mount of the file open at `fd` (open_tree with
// OPEN_TREE_CLONE, then mount_setattr) and returns an O_PATH fd of the file on it. Needs
// CAP_SYS_ADMIN; throws Error with the errno otherwise.
int make_readonly_binding(int fd);

// Copies the file open at `fd` into a new memfd (MFD_CLOEXEC, MFD_ALLOW_SEALING), seals it as
// is_sealed_memfd requires, and returns the memfd. Throws Error on failure.
int make_sealed_copy(int fd, const char* name);

// Called first thing in main(). When `needs_seal(argc, argv)` is true and /proc/self/exe is not
// write-protected, re-executes the binary (fexecve, same argv and environ) from a detached
// read-only bind mount, or, where this process may not mount, from a sealed memfd copy. Does
// not return in that case. Throws Error when both fail; the caller must then exit rather than
// run the container from the writable host binary.
void ensure_sealed_self(int argc, char** argv,
                        const SealPredicate& needs_seal = runs_container_code);

// The first attempt of ensure_sealed_self with runs_container_code, for a constructor that
// runs before C++ static initialization, so that the image about to be replaced spends no time
// on it. Re-executes from a detached read-only bind mount and does not return in that case.
// Returns true when no re-exec is needed: the command runs no container code, or /proc/self/exe
// is write-protected already. Returns false on any failure, including the EPERM that calls for
// the sealed copy, and then the caller must call ensure_sealed_self, which makes the copy or
// reports the error. Throws nothing.
bool try_readonly_reexec(int argc, char** argv) noexcept;

}  // namespace ocirun::security
