// Properties of the systemd driver's transient scope: fixed ones, linux.resources converted as
// runc 1.1.5 converts them for cgroup v2, and org.systemd.property.* annotations.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "cgroups/cgroups.h"
#include "cgroups/systemd_unit.h"

namespace ocirun::cgroups {

// A bitmask as systemd's AllowedCPUs and AllowedMemoryNodes take it (D-Bus type "ay"): bit i of
// byte j is CPU or node 8*j+i.
struct ByteMask {
    std::vector<uint8_t> bytes;
    bool operator==(const ByteMask&) const = default;
};

// The D-Bus types: bool "b", uint64_t "t", int64_t "x", uint32_t "u", int32_t "i", double "d",
// string "s", pid list "au" and ByteMask "ay".
using PropertyValue = std::variant<bool, uint64_t, int64_t, uint32_t, int32_t, double, std::string,
                                   std::vector<uint32_t>, ByteMask>;

struct UnitProperty {
    std::string name;
    PropertyValue value;
};

// systemd's USEC_INFINITY and CGROUP_LIMIT_MAX: no limit.
constexpr uint64_t kSystemdInfinity = UINT64_MAX;

// Returns the cpuset list "0-2,7" as a mask. Throws Error (invalid_spec) when malformed.
ByteMask cpuset_mask(const std::string& list);

// Returns the value of an org.systemd.property.* annotation, written in GVariant text format as
// runc reads it: true, false, 'text', "text", a bare integer (int32) or decimal (double), or a
// typed number such as "uint64 100" or "@t 100". Throws Error (invalid_spec) for anything else.
PropertyValue parse_property_value(const std::string& text);

// Returns the properties of `request`'s org.systemd.property.* annotations. A NAMESec property
// (a lowercase letter before "Sec") becomes NAMEUSec with the seconds converted to
// microseconds, as runc does. Throws Error (invalid_spec) for an invalid name or value.
std::vector<UnitProperty> annotation_properties(const CgroupRequest& request);

// Appends CPUQuotaPeriodUSec and CPUQuotaPerSecUSec for a CFS quota and period in
// microseconds, as runc 1.1.5 computes them. A negative quota, or a zero quota with a period,
// means no limit. The quota per second is rounded up to whole percents of a CPU, because systemd
// stores a quota as a percentage.
void add_cpu_quota_properties(int64_t quota, uint64_t period,
                              std::vector<UnitProperty>& properties);

// Returns the properties of linux.resources that systemd can set on a cgroup v2 scope, with
// those of linux.resources.unified last.
std::vector<UnitProperty> resource_properties(const spec::Resources& resources);

// Returns every property of the transient scope `unit` holding `pid`.
std::vector<UnitProperty> scope_properties(const SystemdUnit& unit, const CgroupRequest& request,
                                           pid_t pid);

}  // namespace ocirun::cgroups
