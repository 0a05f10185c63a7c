// linux.resources written to the files of the cgroup v2 hierarchy, with v1 values converted.
#pragma once

#include <map>
#include <string>

#include "spec/spec.h"

namespace ocirun::cgroups::v2 {

// Each writes the set fields of its part of linux.resources into `directory`, the container's
// cgroup v2 directory. Zero values count as unset, as in runc.
void set_memory(const std::string& directory, const spec::MemoryResources& memory);
void set_cpu(const std::string& directory, const spec::CpuResources& cpu);
void set_io(const std::string& directory, const spec::BlockIoResources& blkio);
void set_hugetlb(const std::string& directory, const spec::HugepageLimit& limit);
// Writes linux.resources.unified: each key is a file name in `directory`.
void set_unified(const std::string& directory, const std::map<std::string, std::string>& files);

}  // namespace ocirun::cgroups::v2
