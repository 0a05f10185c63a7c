// `delete`: tear down a stopped container; with --force, or when only created, kill it first.
#include <signal.h>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/cgroups.h"
#include "container/lifecycle.h"
#include "container/operations.h"
#include "image/container_bundle.h"
#include "state/state_store.h"

namespace ocirun::container {

namespace {

// A container made with --image has its bundle in the state root; it goes with the container.
void remove_image_bundle(const GlobalOptions& global, const std::string& id) {
    if (std::error_code error = image::remove_container_bundle(global.root, id)) {
        log::warning("remove the image bundle of container " + id + ": " + error.message());
    }
}

}  // namespace

void remove(const GlobalOptions& global, const std::string& id, bool force) {
    state::StateStore store = open_store(global.root);
    state::ContainerLock lock;
    try {
        lock = store.lock(id);
    } catch (const Error& error) {
        // Managers clean up with `delete --force` after a failed create; nothing is left then.
        if (force && error.kind() == ErrorKind::not_found) {
            return;
        }
        throw;
    }
    state::ContainerState state;
    try {
        state = store.load(id);
    } catch (const Error& error) {
        // A create killed before it wrote state.json leaves only the directory.
        if (!force) {
            throw;
        }
        store.remove(id);
        remove_image_bundle(global, id);
        return;
    }
    state::Status status = state::current_status(state, store.container_dir(id));
    if ((status == state::Status::running || status == state::Status::paused) && !force) {
        throw_error(
            "cannot delete container " + id + " that is not stopped: " + state::status_name(status),
            ErrorKind::wrong_state);
    }
    if (status == state::Status::paused) {
        // Frozen processes only die of SIGKILL once thawed.
        cgroups::signal_all(state.cgroup_paths, SIGKILL);
        cgroups::thaw(state.cgroup_paths);
    }
    destroy_container(store, state);
    remove_image_bundle(global, id);
}

}  // namespace ocirun::container
