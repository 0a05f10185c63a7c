// The systemd driver's unit names and properties, derived from cgroupsPath, linux.resources and
// annotations.
#include <gtest/gtest.h>

#include "base/error.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_properties.h"
#include "cgroups/systemd_unified.h"
#include "cgroups/systemd_unit.h"

namespace ocirun::cgroups {
namespace {

CgroupRequest systemd_request(std::string path, std::string id = "ctr") {
    CgroupRequest request;
    request.cgroups_path = std::move(path);
    request.id = std::move(id);
    request.systemd = true;
    return request;
}

// Returns the value of the first property named `name`, or nullopt.
std::optional<PropertyValue> find(const std::vector<UnitProperty>& properties,
                                  const std::string& name) {
    for (const UnitProperty& property : properties) {
        if (property.name == name) {
            return property.value;
        }
    }
    return std::nullopt;
}

TEST(ExpandSlice, Nesting) {
    EXPECT_EQ(expand_slice("system.slice"), "/system.slice");
    EXPECT_EQ(expand_slice("machine-libpod.slice"), "/machine.slice/machine-libpod.slice");
    EXPECT_EQ(expand_slice("a-b-c.slice"), "/a.slice/a-b.slice/a-b-c.slice");
    EXPECT_EQ(expand_slice("-.slice"), "/");
}

TEST(ExpandSlice, RejectsInvalid) {
    for (const char* slice :
         {"system", "a--b.slice", "-a.slice", "a-.slice", "a/b.slice", ".slice"}) {
        EXPECT_THROW(expand_slice(slice), Error) << slice;
    }
}

TEST(SystemdUnit, FromCgroupsPath) {
    SystemdUnit unit = systemd_unit(systemd_request("machine.slice:libpod:abc"));
    EXPECT_EQ(unit.slice, "machine.slice");
    EXPECT_EQ(unit.name, "libpod-abc.scope");
    EXPECT_EQ(unit.cgroup, "/machine.slice/libpod-abc.scope");
}

TEST(SystemdUnit, Defaults) {
    SystemdUnit empty_slice = systemd_unit(systemd_request(":docker:abc"));
    EXPECT_EQ(empty_slice.cgroup, "/system.slice/docker-abc.scope");
    SystemdUnit no_path = systemd_unit(systemd_request("", "web"));
    EXPECT_EQ(no_path.name, "ocirun-web.scope");
    EXPECT_EQ(no_path.slice, "system.slice");
    SystemdUnit root_slice = systemd_unit(systemd_request("-.slice:p:n"));
    EXPECT_EQ(root_slice.cgroup, "/p-n.scope");
}

TEST(SystemdUnit, RejectsMalformed) {
    for (const char* path :
         {"a:b", "a:b:c:d", "/docker/abc", "system.slice:p:bad/name", "nota-slice:p:n"}) {
        EXPECT_THROW(systemd_unit(systemd_request(path)), Error) << path;
    }
}

// The cgroup of a manager names its owner when it is a user's manager.
TEST(ManagerOwner, FromControlGroup) {
    EXPECT_EQ(manager_owner_uid("/user.slice/user-1000.slice/user@1000.service"), 1000U);
    EXPECT_EQ(manager_owner_uid("/user.slice/user-0.slice/user@0.service"), 0U);
    EXPECT_EQ(manager_owner_uid(""), std::nullopt);
    EXPECT_EQ(manager_owner_uid("/init.scope"), std::nullopt);
    EXPECT_EQ(manager_owner_uid("/user.slice/user@.service"), std::nullopt);
    EXPECT_EQ(manager_owner_uid("/user.slice/user@10x.service"), std::nullopt);
    EXPECT_EQ(manager_owner_uid("/user.slice/user@99999999999.service"), std::nullopt);
}

TEST(CpusetMask, Bits) {
    EXPECT_EQ(cpuset_mask("0").bytes, std::vector<uint8_t>{0x01});
    EXPECT_EQ(cpuset_mask("0-2,7").bytes, std::vector<uint8_t>{0x87});
    EXPECT_EQ(cpuset_mask("9").bytes, (std::vector<uint8_t>{0x00, 0x02}));
    EXPECT_EQ(cpuset_mask("1,8-9").bytes, (std::vector<uint8_t>{0x02, 0x03}));
}

TEST(CpusetMask, RejectsMalformed) {
    for (const char* list : {"", "a", "3-1", "1,", "1-", "99999"}) {
        EXPECT_THROW(cpuset_mask(list), Error) << list;
    }
}

TEST(PropertyValue, GVariantText) {
    EXPECT_EQ(parse_property_value("true"), PropertyValue(true));
    EXPECT_EQ(parse_property_value("false"), PropertyValue(false));
    EXPECT_EQ(parse_property_value("'inactive'"), PropertyValue(std::string("inactive")));
    EXPECT_EQ(parse_property_value("\"x y\""), PropertyValue(std::string("x y")));
    EXPECT_EQ(parse_property_value("uint64 100"), PropertyValue(uint64_t{100}));
    EXPECT_EQ(parse_property_value("@t 7"), PropertyValue(uint64_t{7}));
    EXPECT_EQ(parse_property_value("int64 -3"), PropertyValue(int64_t{-3}));
    EXPECT_EQ(parse_property_value("uint32 9"), PropertyValue(uint32_t{9}));
    EXPECT_EQ(parse_property_value("42"), PropertyValue(int32_t{42}));
    EXPECT_EQ(parse_property_value("1.5"), PropertyValue(1.5));
}

TEST(PropertyValue, RejectsUnsupported) {
    for (const char* text : {"", "yes", "uint64 -1", "uint32 4294967296", "['a']", "uint64 x",
                             "'it\\'s'", "9999999999"}) {
        EXPECT_THROW(parse_property_value(text), Error) << text;
    }
}

TEST(AnnotationProperties, PrefixAndSeconds) {
    CgroupRequest request = systemd_request("system.slice:p:n");
    request.annotations = {{"org.systemd.property.CollectMode", "'inactive-or-failed'"},
                           {"org.systemd.property.TimeoutStopSec", "uint64 5"},
                           {"org.systemd.property.RuntimeMaxSec", "1.5"},
                           {"io.kubernetes.pod", "ignored"}};
    std::vector<UnitProperty> properties = annotation_properties(request);
    EXPECT_EQ(properties.size(), 3u);
    EXPECT_EQ(find(properties, "CollectMode"), PropertyValue(std::string("inactive-or-failed")));
    EXPECT_EQ(find(properties, "TimeoutStopUSec"), PropertyValue(uint64_t{5000000}));
    EXPECT_EQ(find(properties, "RuntimeMaxUSec"), PropertyValue(uint64_t{1500000}));
    EXPECT_FALSE(find(properties, "TimeoutStopSec"));
}

TEST(AnnotationProperties, RejectsBadName) {
    for (const char* key :
         {"org.systemd.property.", "org.systemd.property.lower", "org.systemd.property.Bad-Name"}) {
        CgroupRequest request = systemd_request("system.slice:p:n");
        request.annotations = {{key, "true"}};
        EXPECT_THROW(annotation_properties(request), Error) << key;
    }
}

TEST(ResourceProperties, Conversions) {
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = 64 << 20;
    resources.memory->swap = 96 << 20;
    resources.memory->reservation = 16 << 20;
    resources.cpu.emplace();
    resources.cpu->shares = 1024;
    resources.cpu->quota = 50000;
    resources.cpu->period = 100000;
    resources.cpu->cpus = "0-1";
    resources.pids.emplace();
    resources.pids->limit = 32;
    std::vector<UnitProperty> properties = resource_properties(resources);
    EXPECT_EQ(find(properties, "MemoryMax"), PropertyValue(uint64_t{64 << 20}));
    EXPECT_EQ(find(properties, "MemorySwapMax"), PropertyValue(uint64_t{32 << 20}));
    EXPECT_EQ(find(properties, "MemoryLow"), PropertyValue(uint64_t{16 << 20}));
    EXPECT_EQ(find(properties, "CPUWeight"), PropertyValue(uint64_t{39}));
    EXPECT_EQ(find(properties, "CPUQuotaPeriodUSec"), PropertyValue(uint64_t{100000}));
    EXPECT_EQ(find(properties, "CPUQuotaPerSecUSec"), PropertyValue(uint64_t{500000}));
    EXPECT_EQ(find(properties, "AllowedCPUs"), PropertyValue(ByteMask{{0x03}}));
    EXPECT_EQ(find(properties, "TasksMax"), PropertyValue(uint64_t{32}));
    EXPECT_FALSE(find(properties, "AllowedMemoryNodes"));
}

TEST(ResourceProperties, UnlimitedAndRounding) {
    spec::Resources resources;
    resources.memory.emplace();
    resources.memory->limit = -1;
    resources.cpu.emplace();
    resources.cpu->quota = 12345;  // 123450 us per second, rounded up to whole percents
    resources.pids.emplace();
    resources.pids->limit = -1;
    std::vector<UnitProperty> properties = resource_properties(resources);
    EXPECT_EQ(find(properties, "MemoryMax"), PropertyValue(kSystemdInfinity));
    EXPECT_EQ(find(properties, "CPUQuotaPerSecUSec"), PropertyValue(uint64_t{130000}));
    EXPECT_FALSE(find(properties, "CPUQuotaPeriodUSec"));
    EXPECT_EQ(find(properties, "TasksMax"), PropertyValue(kSystemdInfinity));
}

TEST(UnifiedProperties, Conversions) {
    std::vector<UnitProperty> properties = unified_properties({
        {"cpu.weight", "200"},
        {"cpu.max", "25000 50000"},
        {"cpuset.cpus", "1,3"},
        {"cpuset.mems", "0"},
        {"memory.min", "1048576"},
        {"memory.low", "2097152"},
        {"memory.high", " 3145728\n"},
        {"memory.max", "max"},
        {"memory.swap.max", "0"},
        {"pids.max", "40"},
    });
    EXPECT_EQ(find(properties, "CPUWeight"), PropertyValue(uint64_t{200}));
    EXPECT_EQ(find(properties, "CPUQuotaPeriodUSec"), PropertyValue(uint64_t{50000}));
    EXPECT_EQ(find(properties, "CPUQuotaPerSecUSec"), PropertyValue(uint64_t{500000}));
    EXPECT_EQ(find(properties, "AllowedCPUs"), PropertyValue(ByteMask{{0x0a}}));
    EXPECT_EQ(find(properties, "AllowedMemoryNodes"), PropertyValue(ByteMask{{0x01}}));
    EXPECT_EQ(find(properties, "MemoryMin"), PropertyValue(uint64_t{1 << 20}));
    EXPECT_EQ(find(properties, "MemoryLow"), PropertyValue(uint64_t{2 << 20}));
    EXPECT_EQ(find(properties, "MemoryHigh"), PropertyValue(uint64_t{3 << 20}));
    EXPECT_EQ(find(properties, "MemoryMax"), PropertyValue(kSystemdInfinity));
    EXPECT_EQ(find(properties, "MemorySwapMax"), PropertyValue(uint64_t{0}));
    EXPECT_EQ(find(properties, "TasksMax"), PropertyValue(uint64_t{40}));
    EXPECT_EQ(properties.size(), 11u);
}

TEST(UnifiedProperties, CpuMaxDefaultsAndUnlimited) {
    std::vector<UnitProperty> quota_only = unified_properties({{"cpu.max", "20000"}});
    EXPECT_EQ(find(quota_only, "CPUQuotaPeriodUSec"), PropertyValue(uint64_t{100000}));
    EXPECT_EQ(find(quota_only, "CPUQuotaPerSecUSec"), PropertyValue(uint64_t{200000}));
    std::vector<UnitProperty> unlimited = unified_properties({{"cpu.max", "max 40000"}});
    EXPECT_EQ(find(unlimited, "CPUQuotaPeriodUSec"), PropertyValue(uint64_t{40000}));
    EXPECT_EQ(find(unlimited, "CPUQuotaPerSecUSec"), PropertyValue(kSystemdInfinity));
}

TEST(UnifiedProperties, PidsMaxZeroAndMax) {
    EXPECT_EQ(find(unified_properties({{"pids.max", "0"}}), "TasksMax"),
              PropertyValue(uint64_t{1}));
    EXPECT_EQ(find(unified_properties({{"pids.max", "max"}}), "TasksMax"),
              PropertyValue(kSystemdInfinity));
}

// Keys without a systemd property are left for the cgroup file writer.
TEST(UnifiedProperties, OtherKeysGiveNoProperty) {
    std::vector<UnitProperty> properties = unified_properties({
        {"memory.oom.group", "1"},
        {"io.weight", "default 300"},
        {"cpu.idle", "1"},
        {"hugetlb.2MB.max", "4194304"},
    });
    EXPECT_TRUE(properties.empty());
}

TEST(UnifiedProperties, RejectsMalformedValues) {
    for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
             {"cpu.weight", "heavy"},
             {"cpu.weight", "-1"},
             {"cpu.max", ""},
             {"cpu.max", "1000 2000 3000"},
             {"cpu.max", "-5 100000"},
             {"cpu.max", "1000 often"},
             {"cpuset.cpus", "2-1"},
             {"memory.max", "64M"},
             {"pids.max", "-1"},
         }) {
        try {
            unified_properties({{key, value}});
            ADD_FAILURE() << key << "=" << value << " was accepted";
        } catch (const Error& error) {
            EXPECT_EQ(error.kind(), ErrorKind::invalid_spec) << key << "=" << value;
            EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
        }
    }
}

// The unified keys follow the fields they override, because systemd applies properties in order.
TEST(ResourceProperties, UnifiedAfterFields) {
    spec::Resources resources;
    resources.cpu.emplace();
    resources.cpu->shares = 2048;
    resources.unified = {{"cpu.weight", "300"}, {"memory.oom.group", "1"}};
    std::vector<UnitProperty> properties = resource_properties(resources);
    ASSERT_EQ(properties.size(), 2u);
    EXPECT_EQ(properties[0].name, "CPUWeight");
    EXPECT_EQ(properties[0].value, PropertyValue(uint64_t{79}));
    EXPECT_EQ(properties[1].name, "CPUWeight");
    EXPECT_EQ(properties[1].value, PropertyValue(uint64_t{300}));
}

TEST(ScopeProperties, FixedThenResourcesThenAnnotations) {
    CgroupRequest request = systemd_request("machine.slice:libpod:abc");
    request.resources.emplace();
    request.resources->pids.emplace();
    request.resources->pids->limit = 10;
    request.annotations = {{"org.systemd.property.TasksMax", "uint64 20"}};
    SystemdUnit unit = systemd_unit(request);
    std::vector<UnitProperty> properties = scope_properties(unit, request, 1234);
    EXPECT_EQ(find(properties, "Slice"), PropertyValue(std::string("machine.slice")));
    EXPECT_EQ(find(properties, "PIDs"), PropertyValue(std::vector<uint32_t>{1234}));
    EXPECT_EQ(find(properties, "Delegate"), PropertyValue(true));
    ASSERT_GE(properties.size(), 2u);
    // systemd applies properties in order, so the annotation's TasksMax wins.
    EXPECT_EQ(properties.back().name, "TasksMax");
    EXPECT_EQ(properties.back().value, PropertyValue(uint64_t{20}));
    EXPECT_EQ(properties[properties.size() - 2].name, "TasksMax");
    EXPECT_EQ(properties[properties.size() - 2].value, PropertyValue(uint64_t{10}));
}

}  // namespace
}  // namespace ocirun::cgroups
