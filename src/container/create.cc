// `create`: load the bundle, clone init into its namespaces and cgroup, run the create-time
// hooks, record the state, and leave init waiting on exec.fifo.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "base/error.h"
#include "base/log.h"
#include "cgroups/cgroups.h"
#include "container/create_container.h"
#include "container/lifecycle.h"
#include "hooks/hooks.h"
#include "process/attributes.h"
#include "process/container_process.h"
#include "process/net_devices.h"
#include "spec/parse.h"
#include "state/atomic_file.h"
#include "state/process_stat.h"
#include "state/state_store.h"

namespace ocirun::container {

namespace {

spec::Spec load_bundle_config(const std::string& bundle) {
    spec::Spec spec = spec::load_config(bundle + "/config.json");
    spec::validate_for_create(spec);
    if (!spec.linux_config) {
        throw_error("config.json: linux: missing; ocirun runs only Linux containers",
                    ErrorKind::invalid_spec);
    }
    if (spec.process->terminal) {
        throw_error("process.terminal: terminal is not supported yet", ErrorKind::unsupported);
    }
    if (!spec.linux_config->has_namespace(spec::NamespaceType::mount)) {
        throw_error("linux.namespaces: a mount namespace is required", ErrorKind::invalid_spec);
    }
    process::validate_sysctl(*spec.linux_config);
    if (!spec.linux_config->net_devices.empty() &&
        !spec.linux_config->has_namespace(spec::NamespaceType::network)) {
        throw_error("linux.netDevices: needs a network namespace of the container's own",
                    ErrorKind::invalid_spec);
    }
    return spec;
}

std::string absolute_rootfs(const spec::Spec& spec, const std::string& bundle) {
    std::string path = spec.root->path;
    if (path.empty() || path[0] != '/') {
        path = bundle + "/" + path;
    }
    char* resolved = realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
        throw_errno("root.path " + quote(path));
    }
    std::string result = resolved;
    free(resolved);
    return result;
}

// Returns the number of fds handed over by socket activation, when they are meant for us.
int listen_fds_count() {
    const char* fds = getenv("LISTEN_FDS");
    const char* pid = getenv("LISTEN_PID");
    if (fds == nullptr || pid == nullptr || std::atoi(pid) != getpid()) {
        return 0;
    }
    int count = std::atoi(fds);
    return count > 0 ? count : 0;
}

// Makes exec.fifo and returns an O_PATH fd to it at or above `minimum`.
int make_exec_fifo(const std::string& container_dir, int minimum) {
    std::string path = container_dir + "/exec.fifo";
    if (mkfifo(path.c_str(), 0622) != 0) {
        throw_errno("create exec fifo " + quote(path));
    }
    // Writable by any container user, whatever the umask.
    if (chmod(path.c_str(), 0622) != 0) {
        throw_errno("chmod exec fifo " + quote(path));
    }
    int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open exec fifo " + quote(path));
    }
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, minimum);
    int saved = errno;
    close(fd);
    if (moved < 0) {
        throw_errno("duplicate exec fifo fd", saved);
    }
    return moved;
}

void write_pid_file(const std::string& pid_file, pid_t pid) {
    if (pid_file.empty()) {
        return;
    }
    size_t slash = pid_file.rfind('/');
    std::string dir = slash == 0 ? "/" : pid_file.substr(0, slash);
    state::write_file_atomically(dir, pid_file.substr(slash + 1), std::to_string(pid));
}

void record_pid(state::ContainerState& state, pid_t pid) {
    state.pid = pid;
    auto stat = state::read_process_stat(pid);
    if (!stat) {
        throw_error("container process " + std::to_string(pid) + " exited during create");
    }
    state.pid_start_time = stat->start_time;
}

state::ContainerState initial_state(const GlobalOptions& global, const CreateOptions& options,
                                    const spec::Spec& spec, const std::string& rootfs) {
    state::ContainerState state;
    state.id = options.id;
    state.bundle = options.bundle;
    state.rootfs = rootfs;
    state.created = state::created_now();
    state.owner = geteuid();
    state.annotations = spec.annotations;
    state.systemd_cgroup = global.systemd_cgroup;
    state.rootless = global.rootless == "true";
    if (spec.hooks) {
        state.extra[kPoststartHooksKey] = hooks_to_json(spec.hooks->poststart);
        state.extra[kPoststopHooksKey] = hooks_to_json(spec.hooks->poststop);
    }
    const spec::Namespace* pid_ns = spec.linux_config->find_namespace(spec::NamespaceType::pid);
    state.extra[kOwnPidNamespaceKey] = pid_ns != nullptr && pid_ns->path.empty();
    return state;
}

// The steps after the state directory exists; `state` keeps what cleanup must undo.
pid_t set_up_container(const GlobalOptions& global, const CreateOptions& options,
                       const spec::Spec& spec, const state::StateStore& store,
                       state::ContainerState& state) {
    process::InitRequest request;
    request.spec = &spec;
    request.id = options.id;
    request.rootfs = state.rootfs;
    request.no_pivot = options.no_pivot;
    request.no_new_keyring = options.no_new_keyring;
    request.rootless = state.rootless;
    request.preserve_fds = options.preserve_fds;
    request.listen_fds = listen_fds_count();
    request.exec_fifo_fd =
        make_exec_fifo(store.container_dir(options.id), process::first_unpassed_fd(request));

    std::optional<process::ContainerProcess> init;
    try {
        init.emplace(process::ContainerProcess::clone(request));
        close(request.exec_fifo_fd);
        record_pid(state, init->first_pid());

        cgroups::CgroupRequest cgroup_request{spec.linux_config->cgroups_path, options.id,
                                              global.systemd_cgroup};
        cgroups::CreatedCgroup cgroup = cgroups::create(cgroup_request, init->first_pid());
        state.cgroup_paths = cgroup.paths;
        state.cgroup_created = cgroup.created;
        store.save(state);
        if (spec.linux_config->resources) {
            cgroups::apply_resources(cgroup.paths, *spec.linux_config->resources);
        }

        record_pid(state, init->begin(cgroups::relative_paths(cgroup.paths)));
        store.save(state);
        if (!spec.linux_config->net_devices.empty()) {
            process::move_net_devices(spec.linux_config->net_devices, state.pid);
        }

        init->wait_for_hooks_request();
        std::string hook_input = hook_state(state, state::Status::creating);
        if (spec.hooks) {
            hooks::run_hooks(spec.hooks->prestart, "prestart", hook_input);
            hooks::run_hooks(spec.hooks->create_runtime, "createRuntime", hook_input);
        }
        init->hooks_done(hook_input);
        init->wait_ready();

        store.save(state);
        write_pid_file(options.pid_file, state.pid);
        return state.pid;
    } catch (...) {
        if (init) {
            init->kill();
        } else {
            close(request.exec_fifo_fd);
        }
        throw;
    }
}

}  // namespace

pid_t create_container(const GlobalOptions& global, const CreateOptions& options) {
    state::validate_container_id(options.id);
    spec::Spec spec = load_bundle_config(options.bundle);
    std::string rootfs = absolute_rootfs(spec, options.bundle);

    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.create_container(options.id);
    state::ContainerState state = initial_state(global, options, spec, rootfs);
    try {
        // Saved before clone, so that `delete --force` can clean up after a killed create.
        store.save(state);
        set_up_container(global, options, spec, store, state);
    } catch (...) {
        try {
            if (state.cgroup_created && !state.cgroup_paths.empty()) {
                cgroups::destroy(state.cgroup_paths);
            }
            store.remove(options.id);
        } catch (const Error& error) {
            log::warning(std::string("clean up after failed create: ") + error.what());
        }
        throw;
    }
    return state.pid;
}

void create(const GlobalOptions& global, const CreateOptions& options) {
    create_container(global, options);
}

}  // namespace ocirun::container
