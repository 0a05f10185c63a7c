// linux.resources.unified keys as properties of the systemd driver's scope, as runc 1.1.5
// converts them.
#include "cgroups/systemd_unified.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "base/error.h"

namespace ocirun::cgroups {
namespace {

constexpr uint64_t kDefaultCpuPeriod = 100000;  // microseconds, the kernel's default

[[noreturn]] void invalid_key_value(const std::string& key, const std::string& value,
                                    const std::string& why) {
    throw_error("linux.resources.unified " + quote(key) + " value " + quote(value) + " is " + why,
                ErrorKind::invalid_spec);
}

// The kernel ignores whitespace around a value, and so does the conversion.
std::string trimmed(const std::string& text) {
    constexpr char kSpace[] = " \t\n";
    size_t first = text.find_first_not_of(kSpace);
    if (first == std::string::npos) {
        return "";
    }
    return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool parse_unsigned(const std::string& text, uint64_t& value) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    errno = 0;
    value = std::strtoull(text.c_str(), nullptr, 10);
    return errno == 0;
}

// Returns the number, or kSystemdInfinity for "max".
uint64_t limit_or_max(const std::string& key, const std::string& value) {
    if (value == "max") {
        return kSystemdInfinity;
    }
    uint64_t number = 0;
    if (!parse_unsigned(value, number)) {
        invalid_key_value(key, value, "not a number of bytes or \"max\"");
    }
    return number;
}

// cpu.max is "QUOTA [PERIOD]" with QUOTA a number or "max".
void add_cpu_max(const std::string& value, std::vector<UnitProperty>& properties) {
    std::istringstream fields(value);
    std::string quota_text;
    std::string period_text;
    std::string extra;
    fields >> quota_text >> period_text >> extra;
    if (quota_text.empty() || !extra.empty()) {
        invalid_key_value("cpu.max", value, "not \"QUOTA [PERIOD]\"");
    }
    uint64_t quota = 0;  // 0 with a period set means no limit
    if (quota_text != "max" && (!parse_unsigned(quota_text, quota) || quota > INT64_MAX)) {
        invalid_key_value("cpu.max", value, "not a quota in microseconds or \"max\"");
    }
    uint64_t period = kDefaultCpuPeriod;
    if (!period_text.empty() && !parse_unsigned(period_text, period)) {
        invalid_key_value("cpu.max", value, "not a period in microseconds");
    }
    add_cpu_quota_properties(static_cast<int64_t>(quota), period, properties);
}

const char* memory_property(const std::string& key) {
    if (key == "memory.min") {
        return "MemoryMin";
    }
    if (key == "memory.low") {
        return "MemoryLow";
    }
    if (key == "memory.high") {
        return "MemoryHigh";
    }
    if (key == "memory.max") {
        return "MemoryMax";
    }
    if (key == "memory.swap.max") {
        return "MemorySwapMax";
    }
    return nullptr;
}

void add_property(const std::string& key, const std::string& value,
                  std::vector<UnitProperty>& properties) {
    if (key == "cpu.weight") {
        uint64_t weight = 0;
        if (!parse_unsigned(value, weight)) {
            invalid_key_value(key, value, "not a number");
        }
        properties.push_back({"CPUWeight", weight});
    } else if (key == "cpu.max") {
        add_cpu_max(value, properties);
    } else if (key == "cpuset.cpus" || key == "cpuset.mems") {
        try {
            properties.push_back(
                {key == "cpuset.cpus" ? "AllowedCPUs" : "AllowedMemoryNodes", cpuset_mask(value)});
        } catch (const Error& error) {
            throw error.with_context("linux.resources.unified " + quote(key));
        }
    } else if (const char* name = memory_property(key)) {
        properties.push_back({name, limit_or_max(key, value)});
    } else if (key == "pids.max") {
        uint64_t limit = limit_or_max(key, value);
        // runc 1.5 sends TasksMax=1 for 0, which also forbids every fork, because systemd
        // rejects 0.
        properties.push_back({"TasksMax", limit == 0 ? uint64_t{1} : limit});
    }
}

}  // namespace

std::vector<UnitProperty> unified_properties(const std::map<std::string, std::string>& unified) {
    std::vector<UnitProperty> properties;
    for (const auto& [key, value] : unified) {
        add_property(key, trimmed(value), properties);
    }
    return properties;
}

}  // namespace ocirun::cgroups
