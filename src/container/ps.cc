// `ps`: the host pids of every process in a container's cgroup.
#include "base/error.h"
#include "cgroups/cgroups.h"
#include "container/lifecycle.h"
#include "container/operations.h"
#include "state/state_store.h"

namespace ocirun::container {

std::vector<pid_t> pids(const GlobalOptions& global, const std::string& id) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(id);
    state::ContainerState state = store.load(id);
    if (state.cgroup_paths.empty()) {
        throw_error("container " + quote(id) + " has no cgroup to list processes from");
    }
    return cgroups::list_pids(state.cgroup_paths);
}

}  // namespace ocirun::container
