// `ps`: the host pids of every process in a container.
#include "container/lifecycle.h"
#include "container/operations.h"
#include "state/state_store.h"

namespace ocirun::container {

std::vector<pid_t> pids(const GlobalOptions& global, const std::string& id) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(id);
    return container_pids(store.load(id));
}

}  // namespace ocirun::container
