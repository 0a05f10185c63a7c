// `pause` and `resume`: freezing and thawing every process of a container with its cgroup.
#include "base/error.h"
#include "cgroups/cgroups.h"
#include "container/lifecycle.h"
#include "container/operations.h"
#include "state/state_store.h"

namespace ocirun::container {

namespace {

struct LockedContainer {
    state::ContainerLock lock;
    state::ContainerState state;
    state::Status status;
};

LockedContainer lock_container(const GlobalOptions& global, const std::string& id) {
    state::StateStore store = open_store(global.root);
    LockedContainer container;
    container.lock = store.lock(id);
    container.state = store.load(id);
    container.status = state::current_status(container.state, store.container_dir(id));
    if (container.state.cgroup_paths.empty()) {
        throw_error("container " + quote(id) + " has no cgroup to freeze");
    }
    return container;
}

}  // namespace

// As runc 1.1.5 does, a created container may be paused too.
void pause(const GlobalOptions& global, const std::string& id) {
    LockedContainer container = lock_container(global, id);
    if (container.status != state::Status::running && container.status != state::Status::created) {
        throw_error("container not running", ErrorKind::wrong_state);
    }
    cgroups::freeze(container.state.cgroup_paths);
}

void resume(const GlobalOptions& global, const std::string& id) {
    LockedContainer container = lock_container(global, id);
    if (container.status != state::Status::paused) {
        throw_error("container not paused", ErrorKind::wrong_state);
    }
    cgroups::thaw(container.state.cgroup_paths);
}

}  // namespace ocirun::container
