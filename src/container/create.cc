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
#include "cgroups/systemd_bus.h"
#include "container/create_container.h"
#include "container/intel_rdt.h"
#include "container/lifecycle.h"
#include "container/notify_socket.h"
#include "container/seccomp_listener.h"
#include "hooks/hooks.h"
#include "process/attributes.h"
#include "process/container_process.h"
#include "process/net_devices.h"
#include "process/rootless.h"
#include "process/sync_protocol.h"
#include "rootfs/mount_options.h"
#include "rootfs/safe_path.h"
#include "security/lsm.h"
#include "security/seccomp.h"
#include "spec/parse.h"
#include "state/atomic_file.h"
#include "state/process_stat.h"
#include "state/state_store.h"
#include "terminal/console_socket.h"

namespace ocirun::container {

namespace {

bool uses_notify(const spec::Seccomp& seccomp) {
    if (seccomp.default_action == "SCMP_ACT_NOTIFY") {
        return true;
    }
    for (const spec::Syscall& syscall : seccomp.syscalls) {
        if (syscall.action == "SCMP_ACT_NOTIFY") {
            return true;
        }
    }
    return false;
}

// runc's checks of process.terminal against --console-socket and detaching.
void check_terminal_options(const spec::Process& process, const CreateOptions& options,
                            bool foreground) {
    if (process.terminal && !foreground && options.console_socket.empty()) {
        throw_error(
            "process.terminal: a detached container with a terminal needs --console-socket, "
            "which receives the pty master",
            ErrorKind::invalid_spec);
    }
    if (!options.console_socket.empty() && (foreground || !process.terminal)) {
        throw_error(
            "--console-socket: only usable with process.terminal set and a detached container",
            ErrorKind::invalid_spec);
    }
}

spec::Spec load_bundle_config(const std::string& bundle) {
    spec::Spec spec = spec::load_config(bundle + "/config.json");
    spec::validate_for_create(spec);
    if (!spec.linux_config) {
        throw_error("config.json: linux: missing; ocirun runs only Linux containers",
                    ErrorKind::invalid_spec);
    }
    if (!spec.linux_config->has_namespace(spec::NamespaceType::mount)) {
        throw_error("linux.namespaces: a mount namespace is required", ErrorKind::invalid_spec);
    }
    process::validate_sysctl(*spec.linux_config);
    if (spec.linux_config->seccomp && uses_notify(*spec.linux_config->seccomp) &&
        spec.linux_config->seccomp->listener_path.empty()) {
        throw_error("linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY",
                    ErrorKind::invalid_spec);
    }
    if (!spec.linux_config->net_devices.empty() &&
        !spec.linux_config->has_namespace(spec::NamespaceType::network)) {
        throw_error("linux.netDevices: needs a network namespace of the container's own",
                    ErrorKind::invalid_spec);
    }
    return spec;
}

std::string resolve_path(const std::string& path, const std::string& what) {
    char* resolved = realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
        throw_errno(what + " " + quote(path));
    }
    std::string result = resolved;
    free(resolved);
    return result;
}

// Makes the relative source of each bind mount absolute below the bundle: the runtime spec reads
// it relative to the bundle, and runc 1.1.5 joins it to the bundle too.
void resolve_bind_sources(spec::Spec& spec, const std::string& bundle) {
    std::string absolute_bundle;
    for (spec::Mount& mount : spec.mounts) {
        if (mount.source.empty() || mount.source[0] == '/') {
            continue;
        }
        if (mount.type != "bind" && !rootfs::parse_mount_options(mount.options).is_bind()) {
            continue;
        }
        if (absolute_bundle.empty()) {
            absolute_bundle = resolve_path(bundle, "bundle");
        }
        mount.source = absolute_bundle + "/" + mount.source;
    }
}

// Returns the absolute rootfs. As runc 1.1.5 does, rejects a root.path that names a symlink or
// passes through one, because the path a manager recorded must be the one mounted.
std::string absolute_rootfs(const spec::Spec& spec, const std::string& bundle) {
    std::string path = spec.root->path;
    if (path.empty() || path[0] != '/') {
        path = resolve_path(bundle, "bundle") + "/" + path;
    }
    std::string cleaned = rootfs::clean_path(path);
    std::string resolved = resolve_path(cleaned, "root.path");
    if (resolved != cleaned) {
        throw_error("root.path " + quote(spec.root->path) + ": invalid rootfs: " + quote(cleaned) +
                        " is a symlink or passes through one; give the resolved path " +
                        quote(resolved),
                    ErrorKind::invalid_spec);
    }
    return resolved;
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
    state.rootless = process::decide_rootless(
        global.rootless, global.systemd_cgroup, geteuid(), process::running_in_user_namespace(),
        global.systemd_cgroup && cgroups::uses_user_manager());
    if (spec.hooks) {
        state.extra[kPoststartHooksKey] = hooks_to_json(spec.hooks->poststart);
        state.extra[kPoststopHooksKey] = hooks_to_json(spec.hooks->poststop);
    }
    const spec::Namespace* pid_ns = spec.linux_config->find_namespace(spec::NamespaceType::pid);
    state.extra[kOwnPidNamespaceKey] = pid_ns != nullptr && pid_ns->path.empty();
    return state;
}

// True for a rule that denies every access to every device, as the first rule of `runc spec`
// does.
bool denies_all_devices(const spec::DeviceCgroupRule& rule) {
    bool all_types = rule.type.empty() || rule.type == "a";
    bool all_numbers = (!rule.major || *rule.major < 0) && (!rule.minor || *rule.minor < 0);
    bool all_access = rule.access.empty() || (rule.access.find('r') != std::string::npos &&
                                              rule.access.find('w') != std::string::npos &&
                                              rule.access.find('m') != std::string::npos);
    return !rule.allow && all_types && all_numbers && all_access;
}

// Returns linux.resources with the device rules runc gives every container: its device cgroup
// starts from deny-all (runc 1.1's device emulator starts as an allow list), then
// resources.devices, then the defaults that let init mknod the nodes of /dev. The deny-all is
// not added when resources.devices starts with one, so that the device cgroup is not reset
// twice. A rootless container gets no device rules, because it cannot write the device cgroup.
spec::Resources container_resources(const spec::Spec& spec, bool rootless) {
    spec::Resources resources = spec.linux_config->resources.value_or(spec::Resources{});
    if (rootless) {
        return resources;
    }
    std::vector<spec::DeviceCgroupRule> rules;
    if (resources.devices.empty() || !denies_all_devices(resources.devices.front())) {
        spec::DeviceCgroupRule deny_all;
        deny_all.allow = false;
        deny_all.type = "a";
        deny_all.access = "rwm";
        rules.push_back(deny_all);
    }
    rules.insert(rules.end(), resources.devices.begin(), resources.devices.end());
    for (auto& rule : cgroups::default_device_rules(spec.linux_config->devices)) {
        rules.push_back(std::move(rule));
    }
    resources.devices = std::move(rules);
    return resources;
}

// Creates the container's cgroup. As runc 1.1.5 does, a rootless container without
// linux.cgroupsPath runs without a cgroup when the user may not create one (nothing is delegated
// on cgroup v1), unless the config sets a resource limit, which then has nowhere to go.
cgroups::CreatedCgroup create_cgroup(const cgroups::CgroupRequest& request, const spec::Spec& spec,
                                     bool rootless, pid_t pid,
                                     const cgroups::BeforeJoin& before_join) {
    try {
        return cgroups::create(request, pid, before_join);
    } catch (const Error& error) {
        int number = error.error_number();
        bool denied = number == EACCES || number == EPERM || number == EROFS;
        if (!rootless || !denied) {
            throw;
        }
        if (std::optional<std::string> limit = process::first_resource_limit(spec)) {
            throw Error("linux.resources." + *limit + ": cannot set the limit of a rootless " +
                            "container without a cgroup it may write (" + error.what() +
                            "); remove the limit or delegate a cgroup v2 subtree to the user",
                        number, ErrorKind::unsupported);
        }
        if (!request.cgroups_path.empty()) {
            throw;
        }
        // NOTE: all hierarchies are skipped together, where runc skips each one it cannot
        // write. The two differ only on a host that delegates some v1 controllers.
        log::warning("rootless container runs without a cgroup: " + std::string(error.what()));
        return cgroups::CreatedCgroup{};
    }
}

// True when init may set up the container while the runtime moves it into its cgroup. On cgroup
// v1 a root runtime leaves that move to init (CgroupRequest::process_joins_v1), so this concerns
// a v2 hierarchy. The runtime's first write of a pid there in a while waits for an RCU grace
// period (5 to 20 ms in `perf trace` on a loaded 2-core VM with kernel 6.18), and init's mounts
// run meanwhile. The runtime finishes the move before it lets init run hooks or execve. Init must
// join before it starts in four cases:
// - it makes a cgroup namespace, whose root is init's cgroup;
// - it forks the real init, which would stay outside;
// - it sets its CPU affinity, which joining a cpuset resets;
// - it sets process.scheduler, because a real-time task cannot join a cgroup without RT budget.
// The systemd driver and rootless containers keep that order too.
// NOTE: when the runtime moves init, the kernel memory of init's mounts, and the short-lived
// helper process of an idmapped mount, are charged to the runtime's cgroup, like the namespaces
// that clone3 makes.
bool starts_before_joining(const spec::Linux& linux_config, bool systemd, bool rootless,
                           const spec::Process& process) {
    const auto& affinity = process.exec_cpu_affinity;
    bool sets_affinity = affinity && !affinity->initial.empty();
    return !systemd && !rootless && !linux_config.has_namespace(spec::NamespaceType::cgroup) &&
           !process::needs_init_fork(linux_config) && !sets_affinity && !process.scheduler;
}

// The steps after the state directory exists; `state` keeps what cleanup must undo.
CreatedContainer set_up_container(const GlobalOptions& global, const CreateOptions& options,
                                  const spec::Spec& spec, const state::StateStore& store,
                                  state::ContainerState& state) {
    const spec::Linux& linux_config = *spec.linux_config;
    std::optional<security::CompiledSeccomp> seccomp;
    if (linux_config.seccomp) {
        seccomp = security::compile_seccomp(*linux_config.seccomp);
    }
    process::InitRequest request;
    request.spec = &spec;
    request.id = options.id;
    request.rootfs = state.rootfs;
    request.no_pivot = options.no_pivot;
    request.no_new_keyring = options.no_new_keyring;
    request.rootless = state.rootless;
    request.preserve_fds = options.preserve_fds;
    request.listen_fds = listen_fds_count();
    request.seccomp = seccomp ? &*seccomp : nullptr;
    request.exec_fifo_fd =
        make_exec_fifo(store.container_dir(options.id), process::first_unpassed_fd(request));

    std::optional<process::ContainerProcess> init;
    try {
        init.emplace(process::ContainerProcess::clone(request));
        close(request.exec_fifo_fd);
        record_pid(state, init->first_pid());

        cgroups::CgroupRequest cgroup_request{linux_config.cgroups_path, options.id,
                                              global.systemd_cgroup};
        // With the systemd driver, linux.resources and the org.systemd.property.NAME
        // annotations become properties of the transient scope, so that systemd keeps the
        // limits when it later rewrites the scope's cgroup files.
        cgroup_request.annotations = spec.annotations;
        cgroup_request.resources = linux_config.resources;
        // Init joins at `start`, before any case of starts_before_joining can apply. It may be
        // in a new user namespace without an id map by then, so it relies on the file modes
        // only. Under a runtime in a user namespace, those may have needed the runtime's
        // CAP_DAC_OVERRIDE, so that runtime moves init itself.
        cgroup_request.process_joins_v1 =
            !global.systemd_cgroup && !state.rootless && !process::running_in_user_namespace();
        // Saves the cgroup, so that `delete --force` finds it after a killed create, and
        // applies linux.resources.
        auto record_cgroup = [&](const cgroups::CreatedCgroup& cgroup) {
            state.cgroup_paths = cgroup.paths;
            state.cgroup_created = cgroup.created;
            state.cgroup_created_paths =
                cgroup.created ? cgroups::CgroupPaths{} : cgroup.created_paths;
            store.save(state);
            if (!cgroup.paths.empty()) {
                cgroups::apply_resources(cgroup.paths, container_resources(spec, state.rootless));
            }
        };
        cgroups::BeforeJoin before_join;
        bool early_start = starts_before_joining(linux_config, global.systemd_cgroup,
                                                 state.rootless, *spec.process);
        if (early_start) {
            before_join = [&](const cgroups::CreatedCgroup& cgroup) {
                record_cgroup(cgroup);
                init->send_start({cgroup.relative_paths, cgroup.join_files});
            };
        }
        cgroups::CreatedCgroup cgroup =
            create_cgroup(cgroup_request, spec, state.rootless, init->first_pid(), before_join);
        if (!early_start) {
            record_cgroup(cgroup);
            init->send_start({cgroup.relative_paths, cgroup.join_files});
        }

        pid_t init_pid = init->wait_for_init_pid();
        // The first process is init unless it had to fork init, and then its start time is
        // recorded already.
        bool pid_changed = init_pid != state.pid;
        if (pid_changed) {
            record_pid(state, init_pid);
        }
        if (!linux_config.net_devices.empty()) {
            process::move_net_devices(linux_config.net_devices, state.pid);
        }

        if (process::exchanges_hook_messages(spec)) {
            init->wait_for_hooks_request();
            std::string hook_input = hook_state(state, state::Status::creating);
            if (spec.hooks) {
                hooks::run_hooks(spec.hooks->prestart, "prestart", hook_input);
                hooks::run_hooks(spec.hooks->create_runtime, "createRuntime", hook_input);
            }
            init->hooks_done(hook_input);
        }
        init->wait_ready([&](int notify_fd) {
            send_to_seccomp_listener(linux_config.seccomp->listener_path,
                                     linux_config.seccomp->listener_metadata, notify_fd, state,
                                     state.pid, state::Status::creating);
        });
        terminal::UniqueFd master = init->take_terminal_master();
        if (master.valid() && !options.console_socket.empty()) {
            terminal::send_console(options.console_socket, master.get());
            master.reset();
        }

        // record_cgroup has saved the rest of the state.
        if (pid_changed) {
            store.save(state);
        }
        write_pid_file(options.pid_file, state.pid);
        return CreatedContainer{state.pid, std::move(master), state, {}};
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

CreatedContainer create_container(const GlobalOptions& global, const CreateOptions& options,
                                  bool foreground) {
    state::validate_container_id(options.id);
    spec::Spec spec = load_bundle_config(options.bundle);
    check_terminal_options(*spec.process, options, foreground);
    security::check_lsm_support(spec);
    if (geteuid() != 0) {
        process::validate_rootless_config(spec);
    }
    if (spec.linux_config) {
        check_intel_rdt(*spec.linux_config);
    }
    std::string rootfs = absolute_rootfs(spec, options.bundle);
    resolve_bind_sources(spec, options.bundle);

    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.create_container(options.id);
    state::ContainerState state = initial_state(global, options, spec, rootfs);
    try {
        if (!caller_notify_socket().empty()) {
            add_notify_mount(spec, store.container_dir(options.id));
        }
        // Saved before clone, so that `delete --force` can clean up after a killed create.
        store.save(state);
        CreatedContainer created = set_up_container(global, options, spec, store, state);
        created.lock = std::move(lock);
        return created;
    } catch (...) {
        try {
            cgroups::CgroupPaths created_paths = state::created_cgroup_paths(state);
            if (!created_paths.empty()) {
                cgroups::destroy(created_paths);
            }
            store.remove(options.id);
        } catch (const Error& error) {
            log::warning(std::string("clean up after failed create: ") + error.what());
        }
        throw;
    }
}

void create(const GlobalOptions& global, const CreateOptions& options) {
    create_container(global, options, false);
}

}  // namespace ocirun::container
