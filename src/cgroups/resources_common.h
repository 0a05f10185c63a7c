// linux.resources written to files that cgroup v1 and v2 name alike.
#pragma once

#include <map>
#include <string>

#include "spec/spec.h"

namespace ocirun::cgroups {

void set_cpuset(const std::string& directory, const spec::CpuResources& cpu);
void set_pids(const std::string& directory, const spec::PidsResources& pids);
void set_rdma(const std::string& directory, const std::map<std::string, spec::RdmaLimit>& rdma);

// Returns the hugetlb file stem for a page size, "hugetlb.2MB", after checking the size.
std::string hugetlb_file_stem(const std::string& directory, const std::string& page_size,
                              const std::string& limit_suffix);

}  // namespace ocirun::cgroups
