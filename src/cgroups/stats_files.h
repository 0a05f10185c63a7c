// Readers of the statistics files of cgroup v1 and v2, shared by stats_v1.cc and stats_v2.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "cgroups/stats.h"

namespace ocirun::cgroups::stats_files {

// Returns the "key value" lines of a file such as memory.stat; empty when the file is missing.
std::map<std::string, uint64_t> read_key_values(const std::string& directory,
                                                const std::string& name);

// Returns a file's single number: 0 when the file is missing, UINT64_MAX for "max".
uint64_t read_number(const std::string& directory, const std::string& name);

// Returns the value of `key`, or 0 when absent.
uint64_t value_of(const std::map<std::string, uint64_t>& values, const std::string& key);

// Returns the page sizes of the hugetlb files in `directory`, e.g. {"1GB", "2MB"}.
std::vector<std::string> hugetlb_page_sizes(const std::string& directory,
                                            const std::string& suffix);

}  // namespace ocirun::cgroups::stats_files

namespace ocirun::cgroups {

void read_cpu_v1(const CgroupPaths& paths, CpuStats& cpu);
void read_cpuset_v1(const std::string& directory, CpusetStats& cpuset);
void read_memory_v1(const std::string& directory, MemoryStats& memory);
void read_blkio_v1(const std::string& directory, BlkioStats& blkio);
void read_hugetlb_v1(const std::string& directory, std::map<std::string, HugetlbStats>& hugetlb);

void read_cpu_v2(const std::string& directory, CpuStats& cpu);
void read_memory_v2(const std::string& directory, MemoryStats& memory);
void read_io_v2(const std::string& directory, BlkioStats& blkio);
void read_hugetlb_v2(const std::string& directory, std::map<std::string, HugetlbStats>& hugetlb);

// pids.current and pids.max, named alike on v1 and v2.
void read_pids(const std::string& directory, PidsStats& pids);

}  // namespace ocirun::cgroups
