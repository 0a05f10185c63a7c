// Statistics as the JSON of runc 1.1.5's `events` (types/events.go), which containerd's go-runc
// decodes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cgroups/stats.h"

namespace ocirun::cgroups {

// Returns the `data` object of a stats event: cpu, cpuset, memory, pids, blkio, hugetlb,
// intel_rdt and network_interfaces, with runc's field names. As Go's encoding/json writes
// runc's types, fields tagged omitempty are left out when zero or empty.
nlohmann::ordered_json stats_to_json(const Stats& stats);

// Returns the event record {"type":TYPE,"id":ID,"data":DATA}; `data` is left out when null.
nlohmann::ordered_json event_record(const std::string& type, const std::string& id,
                                    nlohmann::ordered_json data = nullptr);

}  // namespace ocirun::cgroups
