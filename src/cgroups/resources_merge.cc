// Merging `update`'s new linux.resources values into a container's current ones, as runc does.
#include <algorithm>

#include "cgroups/resources_update.h"

namespace ocirun::cgroups {
namespace {

// Replaces `current` with `change` when the change is present and not zero.
template <typename T>
void merge_nonzero(std::optional<T>& current, const std::optional<T>& change) {
    if (change && *change != 0) {
        current = change;
    }
}

template <typename T>
void merge_present(std::optional<T>& current, const std::optional<T>& change) {
    if (change) {
        current = change;
    }
}

void merge_nonempty(std::string& current, const std::string& change) {
    if (!change.empty()) {
        current = change;
    }
}

// Replaces the entry of `current` that `same` matches with each entry of `change`, or appends it.
template <typename T, typename Same>
void upsert(std::vector<T>& current, const std::vector<T>& change, Same same) {
    for (const T& entry : change) {
        auto it = std::find_if(current.begin(), current.end(),
                               [&](const T& existing) { return same(existing, entry); });
        if (it == current.end()) {
            current.push_back(entry);
        } else {
            *it = entry;
        }
    }
}

template <typename T>
bool same_device(const T& a, const T& b) {
    return a.major == b.major && a.minor == b.minor;
}

void merge_memory(spec::MemoryResources& current, const spec::MemoryResources& change) {
    merge_nonzero(current.limit, change.limit);
    merge_nonzero(current.reservation, change.reservation);
    merge_nonzero(current.swap, change.swap);
    // runc 1.1.5 treats a request for unlimited memory as unlimited memory+swap too, unless
    // the request names a swap value itself.
    if (change.limit == -1 && change.swap.value_or(0) == 0) {
        current.swap = -1;
    }
    merge_present(current.swappiness, change.swappiness);
    merge_present(current.disable_oom_killer, change.disable_oom_killer);
    merge_present(current.check_before_update, change.check_before_update);
}

void merge_cpu(spec::CpuResources& current, const spec::CpuResources& change) {
    merge_nonzero(current.shares, change.shares);
    merge_nonzero(current.quota, change.quota);
    merge_nonzero(current.period, change.period);
    merge_nonzero(current.realtime_runtime, change.realtime_runtime);
    merge_nonzero(current.realtime_period, change.realtime_period);
    merge_present(current.burst, change.burst);
    merge_present(current.idle, change.idle);
    merge_nonempty(current.cpus, change.cpus);
    merge_nonempty(current.mems, change.mems);
}

void merge_block_io(spec::BlockIoResources& current, const spec::BlockIoResources& change) {
    merge_nonzero(current.weight, change.weight);
    merge_nonzero(current.leaf_weight, change.leaf_weight);
    upsert(current.weight_device, change.weight_device, same_device<spec::WeightDevice>);
    auto same_throttle = same_device<spec::ThrottleDevice>;
    upsert(current.throttle_read_bps_device, change.throttle_read_bps_device, same_throttle);
    upsert(current.throttle_write_bps_device, change.throttle_write_bps_device, same_throttle);
    upsert(current.throttle_read_iops_device, change.throttle_read_iops_device, same_throttle);
    upsert(current.throttle_write_iops_device, change.throttle_write_iops_device, same_throttle);
}

void merge_network(spec::NetworkResources& current, const spec::NetworkResources& change) {
    merge_present(current.class_id, change.class_id);
    upsert(current.priorities, change.priorities,
           [](const spec::InterfacePriority& a, const spec::InterfacePriority& b) {
               return a.name == b.name;
           });
}

// Merges the optional part `change` into `current`, creating it when absent.
template <typename T, typename Merge>
void merge_part(std::optional<T>& current, const std::optional<T>& change, Merge merge) {
    if (!change) {
        return;
    }
    if (!current) {
        current.emplace();
    }
    merge(*current, *change);
}

}  // namespace

spec::Resources merge_resources(const spec::Resources& current, const spec::Resources& change) {
    spec::Resources merged = current;
    merge_part(merged.memory, change.memory, merge_memory);
    // Kernel memory is never written and create warned about it already, so a value from
    // config.json is dropped rather than warned about again at each update.
    if (merged.memory) {
        merged.memory->kernel.reset();
    }
    merge_part(merged.cpu, change.cpu, merge_cpu);
    merge_part(merged.pids, change.pids,
               [](spec::PidsResources& pids, const spec::PidsResources& new_pids) {
                   merge_nonzero(pids.limit, new_pids.limit);
               });
    merge_part(merged.block_io, change.block_io, merge_block_io);
    upsert(merged.hugepage_limits, change.hugepage_limits,
           [](const spec::HugepageLimit& a, const spec::HugepageLimit& b) {
               return a.page_size == b.page_size;
           });
    merge_part(merged.network, change.network, merge_network);
    for (const auto& [device, limit] : change.rdma) {
        merged.rdma[device] = limit;
    }
    for (const auto& [name, value] : change.unified) {
        merged.unified[name] = value;
    }
    return merged;
}

}  // namespace ocirun::cgroups
