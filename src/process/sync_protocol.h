// The messages the runtime and the container's init exchange between clone and execve.
//
// Transport: one SOCK_SEQPACKET socketpair, so each message arrives whole. A frame is a fixed
// header (type, errno, error kind) followed by an opaque payload of at most kMaxSyncPayload bytes.
//
// Sequence (P = the runtime, C = the cloned process; "init" is C itself, or the process C
// forks when the container needs a new or joined pid or time namespace):
//
//   P clones C; C waits.
//   P creates the cgroup, applies resources, and moves C into it (or leaves the v1 hierarchies
//   to C, see StartMessage).
//   P -> C  start            payload: StartMessage as JSON
//   C writes "0" to each file of StartMessage::join_files.
//   C joins namespaces given by path, makes the new user namespace.
//   C -> P  id_map_request   (only with a new user namespace)
//   P writes uid_map, gid_map (and setgroups deny when rootless).
//   P -> C  id_map_done
//   C makes the remaining namespaces, writes timens offsets, forks init when needed.
//   C -> P  init_pid         payload: decimal host pid of init, empty when C is init. Sent
//                            only when C forks init or makes a user namespace
//                            (reports_init_pid). Otherwise C is init, and P waits for the
//                            next message.
//   init prepares the rootfs.
//   C -> P  run_hooks        P runs prestart and createRuntime hooks
//   P -> C  hooks_done       payload: the OCI state JSON, for the hooks init runs itself
//   (run_hooks and hooks_done only when exchanges_hook_messages(spec) is true)
//   init runs createContainer hooks, enters the rootfs, makes the pty when process.terminal
//   is set, applies the process attributes and resolves the executable.
//   C -> P  terminal         (process.terminal) the pty master attached as SCM_RIGHTS
//   init loads the seccomp filter (before the capability drop, or after the executable is
//   found with noNewPrivileges).
//   C -> P  seccomp_fd       (SCMP_ACT_NOTIFY rules) the notify fd attached as SCM_RIGHTS; P
//                            sends it to linux.seccomp.listenerPath
//   P -> C  seccomp_done
//   C -> P  ready            P writes state.json and the pid file; init then blocks on
//                            exec.fifo until `start`.
//
// At any point C may send `warning` or `debug` (payload: message; P logs it at that level and
// keeps reading) or
// `error` (errno in the header, payload: message; C then exits and P fails with exactly that
// message).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "spec/spec.h"
#include "terminal/unique_fd.h"

namespace ocirun::process {

enum class SyncMessage : uint32_t {
    start = 1,
    id_map_request,
    id_map_done,
    init_pid,
    run_hooks,
    hooks_done,
    ready,
    warning,
    error,
    debug,
    terminal,
    seccomp_fd,
    seccomp_done,
};

const char* sync_message_name(SyncMessage type);

inline constexpr size_t kMaxSyncPayload = 128 * 1024;

struct SyncFrame {
    SyncMessage type = SyncMessage::error;
    int32_t error_number = 0;
    ErrorKind kind = ErrorKind::generic;
    std::string payload;
};

// Serialises a frame; payloads above kMaxSyncPayload are truncated.
std::string encode_sync_frame(const SyncFrame& frame);
// Parses one received datagram. Throws Error on a short frame or an unknown type.
SyncFrame decode_sync_frame(std::string_view bytes);

// Logs a `warning` or `debug` frame at its level and returns true; false for any other type.
bool log_message_frame(const SyncFrame& frame);

// The payload of `start`.
struct StartMessage {
    // The container's cgroup relative to each hierarchy's mount point, for the cgroup mount.
    std::map<std::string, std::string> cgroup_relative_paths;
    // The v1 `tasks` files to which C writes "0" to move itself into the container's cgroup
    // (cgroups::CgroupRequest::process_joins_v1 gives the reason). Empty when P moves C.
    std::vector<std::string> join_files;
};

std::string encode_start_message(const StartMessage& message);
// Throws Error on a malformed payload.
StartMessage decode_start_message(const std::string& payload);

// Returns true when the runtime and init exchange run_hooks and hooks_done: the config has
// prestart, createRuntime, createContainer or startContainer hooks, or linux.netDevices, which
// the runtime moves into the network namespace before init continues. Without them the
// exchange would only make init wait for the runtime, so both sides skip it.
bool exchanges_hook_messages(const spec::Spec& spec);

// Returns {runtime end, child end}, both close-on-exec.
std::pair<int, int> make_sync_socket_pair();

// One end of the sync socket. Does not own the fd.
class SyncSocket {
  public:
    explicit SyncSocket(int fd) : fd_(fd) {}

    int fd() const { return fd_; }

    void send(SyncMessage type, std::string_view payload = {}, int32_t error_number = 0) const;
    void send_error(const Error& error) const;
    void send_warning(std::string_view message) const;
    // Sends a frame of `type` with `fd` attached as SCM_RIGHTS.
    void send_with_fd(SyncMessage type, int fd) const;

    // Receives one frame. Throws Error when the other end closed the socket. An fd attached
    // to the frame goes to `attached` when given, and is closed otherwise.
    SyncFrame receive(terminal::UniqueFd* attached = nullptr) const;

    // Receives frames until one of `type`: logs each `warning` and `debug`, throws an `error` frame
    // as Error with its message and errno, and throws on any other type.
    SyncFrame expect(SyncMessage type) const;

  private:
    int fd_;
};

}  // namespace ocirun::process
