// `create` as a step of `create` and `run`.
#pragma once

#include <sys/types.h>

#include "container/operations.h"
#include "state/state_store.h"
#include "terminal/unique_fd.h"

namespace ocirun::container {

struct CreatedContainer {
    pid_t pid = 0;  // host pid of init
    // The pty master of process.terminal for a foreground `run`; not valid otherwise, because
    // a detached container's master goes to --console-socket.
    terminal::UniqueFd terminal_master;
    // The state as saved, and the container's lock, still held so that `run` can start the
    // container without loading the state again and with nothing else between.
    state::ContainerState state;
    state::ContainerLock lock;
};

// Creates the container; its init waits on exec.fifo. `foreground` is true for `run` without
// --detach, which keeps the pty master instead of requiring --console-socket.
CreatedContainer create_container(const GlobalOptions& global, const CreateOptions& options,
                                  bool foreground);

}  // namespace ocirun::container
