// `update`: changing a created, running or paused container's resource limits.
#include "container/update.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "cgroups/resources_json.h"
#include "cgroups/resources_update.h"
#include "cgroups/systemd_update.h"
#include "container/lifecycle.h"
#include "spec/parse.h"
#include "state/state_store.h"

namespace ocirun::container {
namespace {

// The key of ContainerState::extra that contains the resources after the last update.
constexpr const char* kResourcesKey = "resources";

[[noreturn]] void fail_flag(std::string_view flag, std::string_view text, std::string_view what) {
    throw_error(
        "--" + std::string(flag) + ": invalid value " + quote(text) + ": " + std::string(what),
        ErrorKind::invalid_spec);
}

template <typename T>
T parse_integer(std::string_view flag, std::string_view text) {
    T value{};
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        fail_flag(flag, text,
                  std::is_signed_v<T> ? "expected a decimal integer"
                                      : "expected a non-negative decimal integer");
    }
    return value;
}

// Returns a memory flag's value: -1 for unlimited, or a size with units.
int64_t parse_memory_flag(std::string_view flag, const std::string& text) {
    return text == "-1" ? -1 : parse_ram_size(flag, text);
}

// Returns the multiplier of a size's unit part, such as " MiB", or nullopt when it is invalid.
std::optional<long double> unit_multiplier(std::string_view unit) {
    if (unit.starts_with(' ')) {
        unit.remove_prefix(1);
    }
    long double multiplier = 1;
    constexpr std::string_view kUnits = "kmgtp";
    if (size_t index = unit.empty() ? std::string_view::npos
                                    : kUnits.find(static_cast<char>(std::tolower(unit.front())));
        index != std::string_view::npos) {
        multiplier = std::pow(1024.0L, static_cast<long double>(index + 1));
        unit.remove_prefix(1);
    }
    if (unit.starts_with('i') || unit.starts_with('I')) {
        unit.remove_prefix(1);
    }
    if (unit.starts_with('b') || unit.starts_with('B')) {
        unit.remove_prefix(1);
    }
    if (!unit.empty()) {
        return std::nullopt;
    }
    return multiplier;
}

std::optional<spec::CpuResources> cpu_from_flags(const UpdateFlags& flags) {
    spec::CpuResources cpu;
    cpu.cpus = flags.cpuset_cpus;
    cpu.mems = flags.cpuset_mems;
    if (!flags.cpu_period.empty()) {
        cpu.period = parse_integer<uint64_t>("cpu-period", flags.cpu_period);
    }
    if (!flags.cpu_rt_period.empty()) {
        cpu.realtime_period = parse_integer<uint64_t>("cpu-rt-period", flags.cpu_rt_period);
    }
    if (!flags.cpu_share.empty()) {
        cpu.shares = parse_integer<uint64_t>("cpu-share", flags.cpu_share);
    }
    if (!flags.cpu_quota.empty()) {
        cpu.quota = parse_integer<int64_t>("cpu-quota", flags.cpu_quota);
    }
    if (!flags.cpu_rt_runtime.empty()) {
        cpu.realtime_runtime = parse_integer<int64_t>("cpu-rt-runtime", flags.cpu_rt_runtime);
    }

    bool any = !cpu.cpus.empty() || !cpu.mems.empty() || cpu.period || cpu.realtime_period ||
               cpu.shares || cpu.quota || cpu.realtime_runtime;
    return any ? std::optional(cpu) : std::nullopt;
}

std::optional<spec::MemoryResources> memory_from_flags(const UpdateFlags& flags) {
    spec::MemoryResources memory;
    if (!flags.memory.empty()) {
        memory.limit = parse_memory_flag("memory", flags.memory);
    }
    if (!flags.memory_swap.empty()) {
        memory.swap = parse_memory_flag("memory-swap", flags.memory_swap);
    }
    if (!flags.memory_reservation.empty()) {
        memory.reservation = parse_memory_flag("memory-reservation", flags.memory_reservation);
    }
    for (const auto& [name, value] : {std::pair{"kernel-memory", &flags.kernel_memory},
                                      std::pair{"kernel-memory-tcp", &flags.kernel_memory_tcp}}) {
        if (!value->empty()) {
            parse_memory_flag(name, *value);
            log::warning("--" + std::string(name) + " is ignored, as in runc");
        }
    }

    bool any = memory.limit || memory.swap || memory.reservation;
    return any ? std::optional(memory) : std::nullopt;
}

void read_all_from(int fd, const std::string& source, std::string& text) {
    if (!read_all(fd, text)) {
        throw_errno("read " + source);
    }
}

// Reads the --resources document: a file, or stdin for "-".
spec::Resources load_resources_document(const std::string& path) {
    std::string source = path == "-" ? "stdin" : quote(path);
    std::string text;
    if (path == "-") {
        read_all_from(STDIN_FILENO, source, text);
    } else {
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw_errno("--resources: open " + source);
        }
        try {
            read_all_from(fd, source, text);
        } catch (const Error&) {
            close(fd);
            throw;
        }
        close(fd);
    }
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        throw_error("--resources: " + source + ": invalid JSON: " + error.what(),
                    ErrorKind::invalid_spec);
    }
    return cgroups::resources_from_json(json, "--resources: " + source);
}

// Returns the resources the container has now: those of the last update, else linux.resources
// of the bundle's config.json.
spec::Resources current_resources(const state::ContainerState& state) {
    if (state.extra.contains(kResourcesKey)) {
        return cgroups::resources_from_json(state.extra[kResourcesKey],
                                            "state.json: " + std::string(kResourcesKey));
    }
    // NOTE: create does not record linux.resources in state.json, so a bundle whose
    // config.json changed or disappeared since create gives the wrong starting point here.
    try {
        spec::Spec config = spec::load_config(state.bundle + "/config.json");
        if (config.linux_config && config.linux_config->resources) {
            return *config.linux_config->resources;
        }
    } catch (const Error& error) {
        log::warning(
            "update: the bundle's linux.resources are not available, so values not "
            "given now are not written again: " +
            std::string(error.what()));
    }
    return spec::Resources{};
}

void warn_ignored(const spec::Resources& change) {
    if (!change.devices.empty()) {
        log::warning(
            "update: linux.resources.devices cannot be updated and is ignored, as in runc");
    }
    if (change.memory &&
        (change.memory->kernel.value_or(0) != 0 || change.memory->kernel_tcp.value_or(0) != 0)) {
        log::warning("update: memory.kernel and memory.kernelTCP are ignored, as in runc");
    }
}

// runc rejects the Intel RDT flags when resctrl lacks the feature; ocirun supports no intelRdt
// at all, so it rejects them always, naming why.
void check_intel_rdt_flags(const UpdateFlags& flags) {
    for (const auto& [name, value] : {std::pair{"--l3-cache-schema", &flags.l3_cache_schema},
                                      std::pair{"--mem-bw-schema", &flags.mem_bw_schema}}) {
        if (value->empty()) {
            continue;
        }
        if (access("/sys/fs/resctrl/schemata", F_OK) != 0) {
            throw_error(std::string(name) +
                            ": Intel RDT is not enabled: resctrl is not mounted at "
                            "/sys/fs/resctrl",
                        ErrorKind::unsupported);
        }
        throw_error(std::string(name) + ": Intel RDT is not supported by ocirun",
                    ErrorKind::unsupported);
    }
}

spec::Resources requested_change(const UpdateOptions& options) {
    if (!options.resources_file.empty()) {
        return load_resources_document(options.resources_file);
    }
    check_intel_rdt_flags(options.flags);
    return resources_from_flags(options.flags);
}

}  // namespace

int64_t parse_ram_size(std::string_view flag, std::string_view text) {
    constexpr std::string_view kExpected =
        "expected a number with an optional unit k, m, g, t or p, such as 512m";
    size_t end = text.find_first_not_of("0123456789.");
    std::string_view number = text.substr(0, end);
    if (number.empty() || number.front() == '.' || number.back() == '.' ||
        number.find('.') != number.rfind('.')) {
        fail_flag(flag, text, kExpected);
    }

    std::optional<long double> multiplier =
        unit_multiplier(end == std::string_view::npos ? "" : text.substr(end));
    if (!multiplier) {
        fail_flag(flag, text, kExpected);
    }
    long double bytes = std::strtold(std::string(number).c_str(), nullptr) * *multiplier;
    if (bytes >= static_cast<long double>(std::numeric_limits<int64_t>::max())) {
        fail_flag(flag, text, "the size does not fit in 63 bits");
    }
    return static_cast<int64_t>(bytes);
}

spec::Resources resources_from_flags(const UpdateFlags& flags) {
    spec::Resources resources;
    if (!flags.blkio_weight.empty()) {
        auto weight = parse_integer<uint16_t>("blkio-weight", flags.blkio_weight);
        if (weight != 0) {
            resources.block_io.emplace().weight = weight;
        }
    }
    resources.cpu = cpu_from_flags(flags);
    resources.memory = memory_from_flags(flags);
    if (!flags.pids_limit.empty()) {
        auto limit = parse_integer<int64_t>("pids-limit", flags.pids_limit);
        if (limit != 0) {
            resources.pids.emplace().limit = limit;
        }
    }
    return resources;
}

void update(const GlobalOptions& global, const UpdateOptions& options) {
    // The document is read before the lock is taken, so a slow writer on stdin cannot hold up
    // other commands on the container.
    spec::Resources change = requested_change(options);
    warn_ignored(change);

    state::StateStore store = open_store(global.root);
    state::ContainerLock lock = store.lock(options.id);
    state::ContainerState state = store.load(options.id);
    state::Status status = state::current_status(state, store.container_dir(options.id));
    if (status == state::Status::stopped) {
        throw_error("container not running: " + quote(options.id) +
                        " has stopped, so its resources cannot be updated",
                    ErrorKind::wrong_state);
    }
    if (state.cgroup_paths.empty()) {
        throw_error("container " + quote(options.id) + " has no cgroup to update");
    }

    spec::Resources merged = cgroups::merge_resources(current_resources(state), change);
    if (state.systemd_cgroup) {
        cgroups::set_scope_resources(state.cgroup_paths, merged);
    }
    cgroups::update_resources(state.cgroup_paths, merged);
    state.extra[kResourcesKey] = cgroups::resources_to_json(merged);
    store.save(state);
}

}  // namespace ocirun::container
