// linux.resources written to files that cgroup v1 and v2 name alike.
#include "cgroups/resources_common.h"

#include "base/error.h"
#include "cgroups/conversions.h"
#include "cgroups/files.h"

namespace ocirun::cgroups {

void set_cpuset(const std::string& directory, const spec::CpuResources& cpu) {
    if (!cpu.cpus.empty()) {
        write_control(directory, "cpuset.cpus", cpu.cpus);
    }
    if (!cpu.mems.empty()) {
        write_control(directory, "cpuset.mems", cpu.mems);
    }
}

void set_pids(const std::string& directory, const spec::PidsResources& pids) {
    if (pids.limit && *pids.limit != 0) {
        write_control(directory, "pids.max", pids_max(*pids.limit));
    }
}

void set_rdma(const std::string& directory, const std::map<std::string, spec::RdmaLimit>& rdma) {
    for (const auto& [device, limit] : rdma) {
        std::string value = device;
        if (limit.hca_handles) {
            value += " hca_handle=" + std::to_string(*limit.hca_handles);
        }
        if (limit.hca_objects) {
            value += " hca_object=" + std::to_string(*limit.hca_objects);
        }
        if (value != device) {
            write_control(directory, "rdma.max", value);
        }
    }
}

std::string hugetlb_file_stem(const std::string& directory, const std::string& page_size,
                              const std::string& limit_suffix) {
    std::string stem = "hugetlb." + page_size;
    if (!valid_hugepage_size(page_size)) {
        throw_error("hugepage size " + quote(page_size) + " is invalid: use a size such as 2MB",
                    ErrorKind::invalid_spec);
    }
    if (!path_exists(join_path(directory, stem + limit_suffix))) {
        throw_error("hugepage size " + quote(page_size) + " is not supported by the kernel: " +
                        quote(join_path(directory, stem + limit_suffix)) + " does not exist",
                    ErrorKind::unsupported);
    }
    return stem;
}

}  // namespace ocirun::cgroups
