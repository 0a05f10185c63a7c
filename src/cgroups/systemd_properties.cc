// Properties of the systemd driver's transient scope: fixed ones, linux.resources converted as
// runc 1.1.5 converts them for cgroup v2, and org.systemd.property.* annotations.
#include "cgroups/systemd_properties.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

#include "base/error.h"
#include "cgroups/conversions.h"
#include "cgroups/files.h"
#include "cgroups/systemd_unified.h"

namespace ocirun::cgroups {
namespace {

constexpr char kAnnotationPrefix[] = "org.systemd.property.";
constexpr uint64_t kDefaultCpuPeriod = 100000;  // microseconds, the kernel's default
// systemd stores a CPU quota as a whole percent, so a quota per second is rounded up to 10 ms.
constexpr uint64_t kCpuQuotaGranularity = 10000;
constexpr size_t kMaxCpusetIndex = 8191;  // the kernel's NR_CPUS upper bound

[[noreturn]] void invalid_value(const std::string& text, const std::string& why) {
    throw_error("systemd property value " + quote(text) + ": " + why, ErrorKind::invalid_spec);
}

uint64_t parse_cpuset_number(const std::string& list, const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        throw_error("cpuset list " + quote(list) + ": " + quote(text) + " is not a number",
                    ErrorKind::invalid_spec);
    }
    uint64_t number = std::strtoull(text.c_str(), nullptr, 10);
    if (number > kMaxCpusetIndex) {
        throw_error("cpuset list " + quote(list) + ": " + text + " is above " +
                        std::to_string(kMaxCpusetIndex),
                    ErrorKind::invalid_spec);
    }
    return number;
}

// Parses a signed or unsigned decimal integer filling all of `text`.
bool parse_integer(const std::string& text, bool is_signed, uint64_t& unsigned_value,
                   int64_t& signed_value) {
    if (text.empty()) {
        return false;
    }
    char* end = nullptr;
    errno = 0;
    if (is_signed) {
        signed_value = std::strtoll(text.c_str(), &end, 10);
    } else {
        if (text[0] == '-') {
            return false;
        }
        unsigned_value = std::strtoull(text.c_str(), &end, 10);
    }
    return errno == 0 && end != nullptr && *end == '\0';
}

PropertyValue parse_typed_number(const std::string& type, const std::string& number,
                                 const std::string& text) {
    uint64_t unsigned_value = 0;
    int64_t signed_value = 0;
    bool is_signed = type == "int64" || type == "@x" || type == "int32" || type == "@i";
    if (type == "double" || type == "@d") {
        char* end = nullptr;
        double value = std::strtod(number.c_str(), &end);
        if (number.empty() || *end != '\0') {
            invalid_value(text, "not a number");
        }
        return value;
    }
    if (!parse_integer(number, is_signed, unsigned_value, signed_value)) {
        invalid_value(text, "not an integer of type " + type);
    }
    if (type == "uint64" || type == "@t") {
        return unsigned_value;
    }
    if (type == "int64" || type == "@x") {
        return signed_value;
    }
    if (type == "uint32" || type == "@u") {
        if (unsigned_value > UINT32_MAX) {
            invalid_value(text, "out of range for uint32");
        }
        return static_cast<uint32_t>(unsigned_value);
    }
    if (signed_value < INT32_MIN || signed_value > INT32_MAX) {
        invalid_value(text, "out of range for int32");
    }
    return static_cast<int32_t>(signed_value);
}

bool is_number_type(const std::string& type) {
    for (const char* known :
         {"uint64", "int64", "uint32", "int32", "double", "@t", "@x", "@u", "@i", "@d"}) {
        if (type == known) {
            return true;
        }
    }
    return false;
}

// runc accepts ASCII letters and digits only, starting with an uppercase letter, as systemd
// property names are spelled.
void check_property_name(const std::string& annotation, const std::string& name) {
    bool valid = !name.empty() && name[0] >= 'A' && name[0] <= 'Z';
    for (char c : name) {
        valid =
            valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    }
    if (!valid) {
        throw_error("annotation " + quote(annotation) + ": " + quote(name) +
                        " is not a valid systemd property name",
                    ErrorKind::invalid_spec);
    }
}

uint64_t seconds_to_microseconds(const std::string& annotation, const PropertyValue& value) {
    constexpr double kMicroseconds = 1e6;
    double seconds = 0;
    if (const auto* u64 = std::get_if<uint64_t>(&value)) {
        seconds = static_cast<double>(*u64);
    } else if (const auto* i64 = std::get_if<int64_t>(&value)) {
        seconds = static_cast<double>(*i64);
    } else if (const auto* u32 = std::get_if<uint32_t>(&value)) {
        seconds = *u32;
    } else if (const auto* i32 = std::get_if<int32_t>(&value)) {
        seconds = *i32;
    } else if (const auto* real = std::get_if<double>(&value)) {
        seconds = *real;
    } else {
        throw_error("annotation " + quote(annotation) + ": a value in seconds must be a number",
                    ErrorKind::invalid_spec);
    }
    if (seconds < 0 || !std::isfinite(seconds)) {
        throw_error("annotation " + quote(annotation) + ": seconds must not be negative",
                    ErrorKind::invalid_spec);
    }
    return static_cast<uint64_t>(std::llround(seconds * kMicroseconds));
}

void add_memory_properties(const spec::MemoryResources& memory,
                           std::vector<UnitProperty>& properties) {
    if (memory.limit && *memory.limit != 0) {
        uint64_t limit =
            *memory.limit < 0 ? kSystemdInfinity : static_cast<uint64_t>(*memory.limit);
        properties.push_back({"MemoryMax", limit});
    }
    if (memory.reservation && *memory.reservation > 0) {
        properties.push_back({"MemoryLow", static_cast<uint64_t>(*memory.reservation)});
    }
    std::optional<std::string> swap = memory_swap_v2(memory.limit, memory.swap);
    if (swap) {
        uint64_t swap_max = *swap == "max" ? kSystemdInfinity : std::stoull(*swap);
        properties.push_back({"MemorySwapMax", swap_max});
    }
}

void add_cpu_properties(const spec::CpuResources& cpu, std::vector<UnitProperty>& properties) {
    if (cpu.shares && *cpu.shares != 0) {
        properties.push_back({"CPUWeight", cpu_shares_to_weight(*cpu.shares)});
    }
    add_cpu_quota_properties(cpu.quota.value_or(0), cpu.period.value_or(0), properties);
    // NOTE: AllowedCPUs needs systemd 244. runc checks the version, but this assumes Debian
    // 12's systemd 252 or newer.
    if (!cpu.cpus.empty()) {
        properties.push_back({"AllowedCPUs", cpuset_mask(cpu.cpus)});
    }
    if (!cpu.mems.empty()) {
        properties.push_back({"AllowedMemoryNodes", cpuset_mask(cpu.mems)});
    }
}

}  // namespace

void add_cpu_quota_properties(int64_t quota, uint64_t period,
                              std::vector<UnitProperty>& properties) {
    // NOTE: CPUQuotaPeriodUSec needs systemd 242. runc checks the version, but this assumes
    // Debian 12's systemd 252 or newer.
    if (period != 0) {
        properties.push_back({"CPUQuotaPeriodUSec", period});
    }
    if (quota == 0 && period == 0) {
        return;
    }
    uint64_t per_second = kSystemdInfinity;
    if (quota > 0) {
        uint64_t effective_period = period == 0 ? kDefaultCpuPeriod : period;
        per_second = static_cast<uint64_t>(quota) * 1000000 / effective_period;
        if (per_second % kCpuQuotaGranularity != 0) {
            per_second = (per_second / kCpuQuotaGranularity + 1) * kCpuQuotaGranularity;
        }
    }
    properties.push_back({"CPUQuotaPerSecUSec", per_second});
}

ByteMask cpuset_mask(const std::string& list) {
    ByteMask mask;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string range = list.substr(start, comma - start);
        size_t dash = range.find('-');
        uint64_t first = parse_cpuset_number(list, range.substr(0, dash));
        uint64_t last =
            dash == std::string::npos ? first : parse_cpuset_number(list, range.substr(dash + 1));
        if (last < first) {
            throw_error("cpuset list " + quote(list) + ": range " + quote(range) + " is reversed",
                        ErrorKind::invalid_spec);
        }
        if (mask.bytes.size() < last / 8 + 1) {
            mask.bytes.resize(last / 8 + 1, 0);
        }
        for (uint64_t bit = first; bit <= last; ++bit) {
            mask.bytes[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return mask;
}

PropertyValue parse_property_value(const std::string& text) {
    if (text == "true" || text == "boolean true") {
        return true;
    }
    if (text == "false" || text == "boolean false") {
        return false;
    }
    if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
        text.back() == text.front()) {
        std::string inner = text.substr(1, text.size() - 2);
        if (inner.find(text.front()) != std::string::npos ||
            inner.find('\\') != std::string::npos) {
            // NOTE: GVariant escapes inside strings are not decoded.
            invalid_value(text, "escapes in strings are not supported");
        }
        return inner;
    }
    size_t space = text.find(' ');
    if (space != std::string::npos) {
        std::string type = text.substr(0, space);
        if (!is_number_type(type)) {
            invalid_value(text, "unsupported type " + quote(type) +
                                    " (supported: boolean, strings, uint64, int64, uint32, int32, "
                                    "double)");
        }
        return parse_typed_number(type, text.substr(space + 1), text);
    }
    // GVariant gives an untyped integer the type int32 and an untyped decimal the type double.
    if (text.find_first_of(".eE") != std::string::npos) {
        return parse_typed_number("double", text, text);
    }
    return parse_typed_number("int32", text, text);
}

std::vector<UnitProperty> annotation_properties(const CgroupRequest& request) {
    std::vector<UnitProperty> properties;
    const std::string prefix = kAnnotationPrefix;
    for (const auto& [key, text] : request.annotations) {
        if (key.rfind(prefix, 0) != 0) {
            continue;
        }
        std::string name = key.substr(prefix.size());
        check_property_name(key, name);
        PropertyValue value;
        try {
            value = parse_property_value(text);
        } catch (const Error& error) {
            throw error.with_context("annotation " + quote(key));
        }
        constexpr char kSec[] = "Sec";
        size_t stem = name.size() - (sizeof kSec - 1);
        if (name.size() > sizeof kSec && name.compare(stem, std::string::npos, kSec) == 0 &&
            name[stem - 1] >= 'a' && name[stem - 1] <= 'z') {
            value = seconds_to_microseconds(key, value);
            name = name.substr(0, stem) + "USec";
        }
        properties.push_back({name, value});
    }
    return properties;
}

std::vector<UnitProperty> resource_properties(const spec::Resources& resources) {
    std::vector<UnitProperty> properties;
    if (resources.memory) {
        add_memory_properties(*resources.memory, properties);
    }
    if (resources.cpu) {
        add_cpu_properties(*resources.cpu, properties);
    }
    if (resources.pids && resources.pids->limit) {
        int64_t limit = *resources.pids->limit;
        properties.push_back(
            {"TasksMax", limit > 0 ? static_cast<uint64_t>(limit) : kSystemdInfinity});
    }
    // The unified keys come last, so that systemd applies them over the fields above.
    for (UnitProperty& property : unified_properties(resources.unified)) {
        properties.push_back(std::move(property));
    }
    // NOTE: device rules and io and hugetlb limits are not unit properties here.
    // apply_resources writes them and every unified key to the scope's cgroup files after the
    // scope starts, and its eBPF device program sits beside any program systemd attaches.
    return properties;
}

std::vector<UnitProperty> scope_properties(const SystemdUnit& unit, const CgroupRequest& request,
                                           pid_t pid) {
    std::vector<UnitProperty> properties = {
        {"Description", "ocirun container " + request.id},
        {"Slice", unit.slice},
        {"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)}},
        // The runtime manages the cgroup below the scope, and systemd leaves it alone.
        {"Delegate", true},
        // As in runc: no implicit dependencies, such as the conflict with shutdown.target.
        {"DefaultDependencies", false},
        {"MemoryAccounting", true},
        {"CPUAccounting", true},
        {"IOAccounting", true},
        {"TasksAccounting", true},
    };
    if (request.resources) {
        for (UnitProperty& property : resource_properties(*request.resources)) {
            properties.push_back(std::move(property));
        }
    }
    // Annotations come last, so that systemd applies them over the values above.
    for (UnitProperty& property : annotation_properties(request)) {
        properties.push_back(std::move(property));
    }
    return properties;
}

}  // namespace ocirun::cgroups
