// `update` with the systemd driver: SetUnitProperties on the container's scope over D-Bus.
#include "cgroups/systemd_update.h"

#include <systemd/sd-bus.h>

#include <memory>
#include <string_view>

#include "base/error.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_properties.h"

namespace ocirun::cgroups {
namespace {

constexpr char kBuildMessage[] = "build the D-Bus SetUnitProperties message";

struct MessageUnref {
    void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
};

void check(int result, const char* context) {
    if (result < 0) {
        throw_errno(context, -result);
    }
}

// Returns the scope's unit name, the last component of the systemd-tracked cgroup when it ends
// in ".scope" (cgroup v2 first, else the v1 name=systemd hierarchy); "" otherwise.
std::string scope_unit(const CgroupPaths& paths) {
    for (const char* key : {"", "name=systemd"}) {
        auto it = paths.find(key);
        if (it == paths.end()) {
            continue;
        }
        std::string unit = it->second.substr(it->second.find_last_of('/') + 1);
        constexpr std::string_view kSuffix = ".scope";
        if (unit.size() > kSuffix.size() && unit.ends_with(kSuffix)) {
            return unit;
        }
        return "";
    }
    return "";
}

int append_array(sd_bus_message* message, const char* signature, char type, const void* data,
                 size_t size) {
    int result = sd_bus_message_open_container(message, SD_BUS_TYPE_VARIANT, signature);
    if (result >= 0) {
        result = sd_bus_message_append_array(message, type, data, size);
    }
    if (result >= 0) {
        result = sd_bus_message_close_container(message);
    }
    return result;
}

// NOTE: this repeats the variant marshalling of systemd_bus.cc, which keeps it private; the two
// belong together once systemd_bus.h offers a SetUnitProperties call.
int append_value(sd_bus_message* message, const PropertyValue& value) {
    return std::visit(
        [message](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) {
                return sd_bus_message_append(message, "v", "b", static_cast<int>(v));
            } else if constexpr (std::is_same_v<T, uint64_t>) {
                return sd_bus_message_append(message, "v", "t", v);
            } else if constexpr (std::is_same_v<T, int64_t>) {
                return sd_bus_message_append(message, "v", "x", v);
            } else if constexpr (std::is_same_v<T, uint32_t>) {
                return sd_bus_message_append(message, "v", "u", v);
            } else if constexpr (std::is_same_v<T, int32_t>) {
                return sd_bus_message_append(message, "v", "i", v);
            } else if constexpr (std::is_same_v<T, double>) {
                return sd_bus_message_append(message, "v", "d", v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                return sd_bus_message_append(message, "v", "s", v.c_str());
            } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
                return append_array(message, "au", 'u', v.data(), v.size() * sizeof(uint32_t));
            } else {
                return append_array(message, "ay", 'y', v.bytes.data(), v.bytes.size());
            }
        },
        value);
}

SystemdBus connect_to_systemd() {
    if (!systemd_running()) {
        throw_error(
            "update of a container made with --systemd-cgroup needs systemd, which is not "
            "running",
            ErrorKind::unsupported);
    }
    return connect_systemd();
}

}  // namespace

void set_scope_resources(const CgroupPaths& paths, const spec::Resources& resources) {
    std::string unit = scope_unit(paths);
    std::vector<UnitProperty> properties = resource_properties(resources);
    if (unit.empty() || properties.empty()) {
        return;
    }
    auto bus = connect_to_systemd();
    sd_bus_message* call = nullptr;
    check(sd_bus_message_new_method_call(bus.get(), &call, "org.freedesktop.systemd1",
                                         "/org/freedesktop/systemd1",
                                         "org.freedesktop.systemd1.Manager", "SetUnitProperties"),
          kBuildMessage);
    std::unique_ptr<sd_bus_message, MessageUnref> owned_call(call);
    // runtime=true: the change lasts until the unit goes away, as runc sets it.
    check(sd_bus_message_append(call, "sb", unit.c_str(), 1), kBuildMessage);
    check(sd_bus_message_open_container(call, SD_BUS_TYPE_ARRAY, "(sv)"), kBuildMessage);
    for (const UnitProperty& property : properties) {
        check(sd_bus_message_open_container(call, SD_BUS_TYPE_STRUCT, "sv"), kBuildMessage);
        check(sd_bus_message_append(call, "s", property.name.c_str()), kBuildMessage);
        check(append_value(call, property.value), kBuildMessage);
        check(sd_bus_message_close_container(call), kBuildMessage);
    }
    check(sd_bus_message_close_container(call), kBuildMessage);

    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int result = sd_bus_call(bus.get(), call, 0, &error, &reply);
    std::unique_ptr<sd_bus_message, MessageUnref> owned_reply(reply);
    if (result < 0) {
        std::string text = sd_bus_error_is_set(&error)
                               ? std::string(error.name) + ": " + error.message
                               : errno_text(-result);
        sd_bus_error_free(&error);
        throw_error("systemd SetUnitProperties " + quote(unit) + ": " + text);
    }
    sd_bus_error_free(&error);
}

}  // namespace ocirun::cgroups
