// `kill`: signal the container's init, or with --all every process in its cgroup.
#include "base/error.h"
#include "cgroups/cgroups.h"
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
        if (state.cgroup_paths.empty()) {
            throw_error("container " + quote(id) + " has no cgroup to signal");
        }
        cgroups::signal_all(state.cgroup_paths, signal);
        return;
    }
    if (status == state::Status::stopped) {
        throw_error("container not running", ErrorKind::wrong_state);
    }
    signal_init(state, signal);
}

}  // namespace ocirun::container
