// Conversions from linux.resources values to the strings written to cgroup v1 and v2 files,
// following runc 1.1 where the two versions differ.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spec/spec.h"

namespace ocirun::cgroups {

// cpu.shares (2..262144) to cpu.weight (1..10000) as runc 1.1 maps them linearly; 0 stays 0.
uint64_t cpu_shares_to_weight(uint64_t shares);

// blkio.weight (10..1000) to io.weight (1..10000) as runc 1.1 maps them linearly; 0 stays 0.
uint64_t blkio_weight_to_io_weight(uint64_t weight);

// The value of cpu.max: the quota ("max" unless positive), then the period when set.
std::string cpu_max(std::optional<int64_t> quota, std::optional<uint64_t> period);

// The value of memory.swap.max for the spec's memory+swap limit: "max" for -1, the swap alone
// otherwise, or nullopt when nothing is to be written. Throws Error (invalid_spec) for a swap
// limit without a memory limit or below it.
std::optional<std::string> memory_swap_v2(std::optional<int64_t> limit,
                                          std::optional<int64_t> swap);

// The value of pids.max: "max" for a limit of zero or less.
std::string pids_max(int64_t limit);

// A rule as devices.allow and devices.deny take it: "c 1:3 rwm", "a *:* rwm". Throws Error
// (invalid_spec) for an unknown type or access letter.
std::string device_rule_v1(const spec::DeviceCgroupRule& rule);

// "2MB" and the like: digits followed by KB, MB or GB, as hugetlb file names spell sizes.
bool valid_hugepage_size(const std::string& size);

}  // namespace ocirun::cgroups
