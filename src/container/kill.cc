// `kill`: signal the container's init, or with --all every process of the container.
#include "base/error.h"
#include "container/lifecycle.h"
#include "container/operations.h"
#include "state/state_store.h"

namespace ocirun::container {

void kill(const GlobalOptions& global, const std::string& id, int signal, bool all) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(id);
    state::ContainerState state = store.load(id);
    state::Status status = state::current_status(state, store.container_dir(id));

    // --all reaches processes that outlive init when the container shares the pid namespace.
    if (all) {
        signal_all_processes(state, signal);
        return;
    }
    if (status == state::Status::stopped) {
        throw_error("container not running", ErrorKind::wrong_state);
    }
    signal_init(state, signal);
}

}  // namespace ocirun::container
