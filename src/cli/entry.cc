// The ELF entry point of ocirun on x86-64: the re-exec from a read-only bind mount of the binary
// (the CVE-2019-5736 protection of security/self_exe.h) before glibc starts up.
//
// glibc's start-up code measures the CPU caches with the cpuid instruction, which traps to the
// hypervisor in a virtual machine. On the 2-core KVM guest of docs/benchmarks.md (glibc 2.36), a
// static PIE that returns from main at once took 0.7 ms of CPU per run, against 0.06 ms for one
// without glibc (`perf stat` over 300 runs from sh). `perf record` put most of the difference in
// glibc's intel_check_word and handle_intel. The image that create, run and exec replace at once
// therefore does the re-exec here, with raw system calls.
//
// This code runs before the static PIE has applied its relocations and before thread-local
// storage exists. It must not call glibc, use the stack protector or sanitizers, or read a pointer
// stored in initialized data; CMakeLists.txt compiles it with the flags that ensure this.
// When no re-exec is needed, or one of its steps fails, it jumps to glibc's _start with the
// initial stack and registers unchanged, and the constructor in main.cc takes over.
#include "cli/entry.h"

#include "security/container_command.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

extern "C" {
// Read by main.cc. It stays zero until the entry point stores an EntryResult.
int ocirun_entry_result = 0;
}

#if defined(__x86_64__)

namespace {

constexpr int kRequiredSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
// ST_VALID of the kernel's include/linux/statfs.h, set by kernels since 2.6.36: statfs f_flags
// contains the mount flags.
constexpr long kStatfsFlagsValid = 0x0020;

long raw_syscall(long number, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
    long result;
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                 : "rcx", "r11", "memory");
    return result;
}

bool is_write_protected(long fd) {
    long seals = raw_syscall(SYS_fcntl, fd, F_GET_SEALS);
    if (seals >= 0 && (seals & kRequiredSeals) == kRequiredSeals) {
        return true;
    }
    struct statfs info;
    if (raw_syscall(SYS_fstatfs, fd, reinterpret_cast<long>(&info)) != 0) {
        return false;
    }
    return (info.f_flags & kStatfsFlagsValid) != 0 && (info.f_flags & ST_RDONLY) != 0;
}

// Re-executes the binary from a read-only bind mount when the command needs it. Returns the
// EntryResult for main.cc when it does not re-execute.
int try_reexec(long argc, char** argv, char** envp) {
    if (!ocirun::security::runs_container_code(static_cast<int>(argc), argv)) {
        return ocirun::cli::kEntryNoReexec;
    }
    long exe = raw_syscall(SYS_openat, AT_FDCWD, reinterpret_cast<long>("/proc/self/exe"),
                           O_RDONLY | O_CLOEXEC);
    if (exe < 0) {
        return ocirun::cli::kEntryFailed;
    }

    if (is_write_protected(exe)) {
        raw_syscall(SYS_close, exe);
        return ocirun::cli::kEntryNoReexec;
    }
    long tree = raw_syscall(SYS_open_tree, exe, reinterpret_cast<long>(""),
                            AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    raw_syscall(SYS_close, exe);
    if (tree < 0) {
        return ocirun::cli::kEntryFailed;
    }

    struct mount_attr attributes;
    attributes.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    attributes.attr_clr = 0;
    attributes.propagation = 0;
    attributes.userns_fd = 0;
    if (raw_syscall(SYS_mount_setattr, tree, reinterpret_cast<long>(""), AT_EMPTY_PATH,
                    reinterpret_cast<long>(&attributes), sizeof(attributes)) == 0) {
        raw_syscall(SYS_execveat, tree, reinterpret_cast<long>(""), reinterpret_cast<long>(argv),
                    reinterpret_cast<long>(envp), AT_EMPTY_PATH);
    }
    raw_syscall(SYS_close, tree);
    return ocirun::cli::kEntryFailed;
}

}  // namespace

// Called by ocirun_entry with the initial stack: argc, then argv and envp, each ending in null.
extern "C" __attribute__((visibility("hidden"), used)) void ocirun_entry_reexec(long* stack) {
    long argc = stack[0];
    char** argv = reinterpret_cast<char**>(stack + 1);
    char** envp = argv + argc + 1;
    ocirun_entry_result = try_reexec(argc, argv, envp);
}

// The kernel (static PIE) or the dynamic loader jumps here. For a dynamic executable %rdx
// contains the loader's finalizer, and _start needs it and %rsp as they were.
asm(R"(
    .text
    .globl ocirun_entry
    .type ocirun_entry, @function
ocirun_entry:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %rsp, %r12
    movq %rdx, %r13
    movq %rsp, %rdi
    andq $-16, %rsp
    call ocirun_entry_reexec
    movq %r12, %rsp
    movq %r13, %rdx
    jmp _start
    .cfi_endproc
    .size ocirun_entry, .-ocirun_entry
)");

#endif
