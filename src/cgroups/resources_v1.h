// linux.resources written to the files of cgroup v1 controllers.
#pragma once

#include <string>

#include "spec/spec.h"

namespace ocirun::cgroups::v1 {

// Each writes the set fields of its part of linux.resources into `directory`, the container's
// cgroup in that controller's hierarchy. Zero values count as unset, as in runc.
void set_memory(const std::string& directory, const spec::MemoryResources& memory);
void set_cpu(const std::string& directory, const spec::CpuResources& cpu);
void set_blkio(const std::string& directory, const spec::BlockIoResources& blkio);
void set_hugetlb(const std::string& directory, const spec::HugepageLimit& limit);
void set_net_cls(const std::string& directory, const spec::NetworkResources& network);
void set_net_prio(const std::string& directory, const spec::NetworkResources& network);
// Writes each rule in order to devices.allow or devices.deny.
void set_devices(const std::string& directory, const std::vector<spec::DeviceCgroupRule>& rules);

}  // namespace ocirun::cgroups::v1
