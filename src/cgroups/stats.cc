// Resource usage of a container's cgroup: each part from its v1 controller when that is mounted,
// otherwise from the cgroup v2 hierarchy.
#include "cgroups/stats.h"

#include <dirent.h>

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "base/error.h"
#include "cgroups/files.h"
#include "cgroups/stats_files.h"

namespace ocirun::cgroups {

namespace stats_files {

std::map<std::string, uint64_t> read_key_values(const std::string& directory,
                                                const std::string& name) {
    std::map<std::string, uint64_t> values;
    if (!path_exists(join_path(directory, name))) {
        return values;
    }
    std::istringstream lines(read_control(directory, name));
    std::string key;
    uint64_t value = 0;
    while (lines >> key >> value) {
        values[key] = value;
    }
    return values;
}

uint64_t read_number(const std::string& directory, const std::string& name) {
    if (!path_exists(join_path(directory, name))) {
        return 0;
    }
    std::string text = read_control(directory, name);
    if (text == "max") {
        return std::numeric_limits<uint64_t>::max();
    }
    errno = 0;
    char* end = nullptr;
    unsigned long long value = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || *end != '\0' || errno != 0) {
        throw_error("read " + quote(join_path(directory, name)) + ": " + quote(text) +
                    " is not an unsigned decimal integer");
    }
    return value;
}

uint64_t value_of(const std::map<std::string, uint64_t>& values, const std::string& key) {
    auto it = values.find(key);
    return it == values.end() ? 0 : it->second;
}

std::vector<std::string> hugetlb_page_sizes(const std::string& directory,
                                            const std::string& suffix) {
    std::vector<std::string> sizes;
    DIR* dir = opendir(directory.c_str());
    if (dir == nullptr) {
        return sizes;
    }
    const std::string prefix = "hugetlb.";
    const std::string ending = "." + suffix;
    while (struct dirent* entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name.size() <= prefix.size() + ending.size() || name.rfind(prefix, 0) != 0 ||
            name.compare(name.size() - ending.size(), ending.size(), ending) != 0) {
            continue;
        }
        std::string size = name.substr(prefix.size(), name.size() - prefix.size() - ending.size());
        // Skips the reservation files, such as hugetlb.2MB.rsvd.max.
        if (size.find('.') == std::string::npos) {
            sizes.push_back(size);
        }
    }
    closedir(dir);
    return sizes;
}

}  // namespace stats_files

void read_pids(const std::string& directory, PidsStats& pids) {
    pids.current = stats_files::read_number(directory, "pids.current");
    pids.limit = stats_files::read_number(directory, "pids.max");
    // runc reports no limit as 0.
    if (pids.limit == std::numeric_limits<uint64_t>::max()) {
        pids.limit = 0;
    }
}

Stats read_stats(const CgroupPaths& paths) {
    Stats stats;
    auto v2 = paths.find("");
    bool has_v2 = v2 != paths.end();
    if (paths.count("cpu") != 0 || paths.count("cpuacct") != 0) {
        read_cpu_v1(paths, stats.cpu);
    } else if (has_v2) {
        read_cpu_v2(v2->second, stats.cpu);
    }
    if (auto cpuset = paths.find("cpuset"); cpuset != paths.end()) {
        read_cpuset_v1(cpuset->second, stats.cpuset);
    }
    if (auto memory = paths.find("memory"); memory != paths.end()) {
        read_memory_v1(memory->second, stats.memory);
    } else if (has_v2) {
        read_memory_v2(v2->second, stats.memory);
    }
    if (auto pids = paths.find("pids"); pids != paths.end()) {
        read_pids(pids->second, stats.pids);
    } else if (has_v2) {
        read_pids(v2->second, stats.pids);
    }
    if (auto blkio = paths.find("blkio"); blkio != paths.end()) {
        read_blkio_v1(blkio->second, stats.blkio);
    } else if (has_v2) {
        read_io_v2(v2->second, stats.blkio);
    }
    if (auto hugetlb = paths.find("hugetlb"); hugetlb != paths.end()) {
        read_hugetlb_v1(hugetlb->second, stats.hugetlb);
    } else if (has_v2) {
        read_hugetlb_v2(v2->second, stats.hugetlb);
    }
    return stats;
}

}  // namespace ocirun::cgroups
