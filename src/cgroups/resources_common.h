// linux.resources written to files that cgroup v1 and v2 name alike.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "spec/spec.h"

namespace ocirun::cgroups {

// Returns whether memory.swappiness is set. runc 1.1.5 treats -1, which JSON clients send as
// UINT64_MAX in the unsigned field, as unset, and so does ocirun.
inline bool swappiness_set(const std::optional<uint64_t>& swappiness) {
    return swappiness && *swappiness != UINT64_MAX;
}

void set_cpuset(const std::string& directory, const spec::CpuResources& cpu);
void set_pids(const std::string& directory, const spec::PidsResources& pids);
void set_rdma(const std::string& directory, const std::map<std::string, spec::RdmaLimit>& rdma);

// Returns the hugetlb file stem for a page size, "hugetlb.2MB", after checking the size.
std::string hugetlb_file_stem(const std::string& directory, const std::string& page_size,
                              const std::string& limit_suffix);

}  // namespace ocirun::cgroups
