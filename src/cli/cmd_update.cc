// `ocirun update`: changes a container's resource limits from flags or a LinuxResources document.
#include "cli/command.h"
#include "container/update.h"

namespace ocirun::cli {

namespace {

// ParsedCommand has no room for update's flags, so they are kept here between parse and run.
container::UpdateOptions update_options;

}  // namespace

void add_update(CLI::App& app, ParsedCommand& parsed) {
    container::UpdateOptions& options = update_options;
    container::UpdateFlags& flags = options.flags;
    CLI::App* command = app.add_subcommand("update", "update a container's resource limits");
    command->add_option("-r,--resources", options.resources_file,
                        "path to a LinuxResources JSON file, or - for stdin; the other flags are "
                        "then ignored");
    command->add_option("--blkio-weight", flags.blkio_weight, "block IO weight, 10 to 1000");
    command->add_option("--cpu-period", flags.cpu_period, "CPU CFS period in microseconds");
    command->add_option("--cpu-quota", flags.cpu_quota, "CPU CFS quota in microseconds");
    command->add_option("--cpu-share", flags.cpu_share, "CPU shares (relative weight)");
    command->add_option("--cpu-rt-period", flags.cpu_rt_period,
                        "CPU realtime period in microseconds");
    command->add_option("--cpu-rt-runtime", flags.cpu_rt_runtime,
                        "CPU realtime runtime in microseconds");
    command->add_option("--cpuset-cpus", flags.cpuset_cpus, "CPUs to allow, such as 0-3,7");
    command->add_option("--cpuset-mems", flags.cpuset_mems, "memory nodes to allow, such as 0-1");
    command->add_option("--memory", flags.memory,
                        "memory limit in bytes, with an optional unit such as 512m; -1 is "
                        "unlimited");
    command->add_option("--memory-reservation", flags.memory_reservation,
                        "memory soft limit in bytes, with an optional unit such as 256m");
    command->add_option("--memory-swap", flags.memory_swap,
                        "memory plus swap limit in bytes, with an optional unit; -1 is "
                        "unlimited");
    command->add_option("--kernel-memory", flags.kernel_memory, "obsolete; ignored");
    command->add_option("--kernel-memory-tcp", flags.kernel_memory_tcp, "obsolete; ignored");
    command->add_option("--pids-limit", flags.pids_limit,
                        "maximum number of processes; -1 is unlimited");
    command->add_option("--l3-cache-schema", flags.l3_cache_schema, "Intel RDT L3 cache schema");
    command->add_option("--mem-bw-schema", flags.mem_bw_schema,
                        "Intel RDT memory bandwidth schema");
    command->add_option("container-id", parsed.id, "the name of the container instance")
        ->required();
}

int run_update(const ParsedCommand& parsed) {
    container::UpdateOptions options = update_options;
    options.id = parsed.id;
    container::update(parsed.global, options);
    return 0;
}

}  // namespace ocirun::cli
