// Conversions from linux.resources values to the strings written to cgroup v1 and v2 files,
// following runc 1.1 where the two versions differ.
#include "cgroups/conversions.h"

#include "base/error.h"

namespace ocirun::cgroups {

uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) {
        return 0;
    }
    // Below the kernel minimum of 2 shares, the weight is the minimum, 1.
    if (shares < 2) {
        return 1;
    }
    return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
    if (weight == 0) {
        return 0;
    }
    if (weight < 10) {
        return 1;
    }
    return 1 + ((weight - 10) * 9999) / 990;
}

std::string cpu_max(std::optional<int64_t> quota, std::optional<uint64_t> period) {
    std::string value = quota && *quota > 0 ? std::to_string(*quota) : "max";
    if (period && *period != 0) {
        value += " " + std::to_string(*period);
    }
    return value;
}

std::optional<std::string> memory_swap_v2(std::optional<int64_t> limit,
                                          std::optional<int64_t> swap) {
    int64_t memory = limit.value_or(0);
    int64_t memory_and_swap = swap.value_or(0);
    // As on v1, an unlimited memory limit with no swap limit makes swap unlimited too.
    if (memory == -1 && memory_and_swap == 0) {
        return "max";
    }
    if (memory_and_swap == -1) {
        return "max";
    }
    if (memory_and_swap == 0) {
        return std::nullopt;
    }
    if (memory <= 0) {
        throw_error("memory.swap " + std::to_string(memory_and_swap) +
                        " needs a positive memory.limit on cgroup v2, which limits swap alone",
                    ErrorKind::invalid_spec);
    }
    if (memory_and_swap < memory) {
        throw_error("memory.swap " + std::to_string(memory_and_swap) + " is below memory.limit " +
                        std::to_string(memory) +
                        "; it limits memory plus swap, so it must be at least the memory limit",
                    ErrorKind::invalid_spec);
    }
    return std::to_string(memory_and_swap - memory);
}

std::string pids_max(int64_t limit) {
    return limit > 0 ? std::to_string(limit) : "max";
}

std::string device_rule_v1(const spec::DeviceCgroupRule& rule) {
    std::string type = rule.type.empty() ? "a" : rule.type;
    if (type != "a" && type != "b" && type != "c") {
        throw_error("device cgroup rule type " + quote(rule.type) + " is invalid: use a, b or c",
                    ErrorKind::invalid_spec);
    }
    std::string access = rule.access.empty() ? "rwm" : rule.access;
    if (access.find_first_not_of("rwm") != std::string::npos) {
        throw_error(
            "device cgroup rule access " + quote(rule.access) + " is invalid: use letters of rwm",
            ErrorKind::invalid_spec);
    }
    auto number = [](const std::optional<int64_t>& value) {
        return value && *value >= 0 ? std::to_string(*value) : std::string("*");
    };
    return type + " " + number(rule.major) + ":" + number(rule.minor) + " " + access;
}

bool valid_hugepage_size(const std::string& size) {
    if (size.size() < 3) {
        return false;
    }
    std::string unit = size.substr(size.size() - 2);
    std::string digits = size.substr(0, size.size() - 2);
    return (unit == "KB" || unit == "MB" || unit == "GB") &&
           digits.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace ocirun::cgroups
