// The device cgroup rules every container gets in addition to linux.resources.devices.
#include "cgroups/cgroups.h"

namespace ocirun::cgroups {
namespace {

spec::DeviceCgroupRule allow(const char* type, std::optional<int64_t> major,
                             std::optional<int64_t> minor, const char* access) {
    spec::DeviceCgroupRule rule;
    rule.allow = true;
    rule.type = type;
    rule.major = major;
    rule.minor = minor;
    rule.access = access;
    return rule;
}

}  // namespace

std::vector<spec::DeviceCgroupRule> default_device_rules(const std::vector<spec::Device>& devices) {
    // runc 1.1's AllowedDevices (libcontainer/specconv): the nodes every container's /dev gets.
    std::vector<spec::DeviceCgroupRule> rules = {
        allow("c", std::nullopt, std::nullopt, "m"),  // mknod of any character device
        allow("b", std::nullopt, std::nullopt, "m"),  // mknod of any block device
        allow("c", 1, 3, "rwm"),                      // /dev/null
        allow("c", 1, 8, "rwm"),                      // /dev/random
        allow("c", 1, 7, "rwm"),                      // /dev/full
        allow("c", 5, 0, "rwm"),                      // /dev/tty
        allow("c", 1, 5, "rwm"),                      // /dev/zero
        allow("c", 1, 9, "rwm"),                      // /dev/urandom
        allow("c", 136, std::nullopt, "rwm"),         // /dev/pts/*
        allow("c", 5, 2, "rwm"),                      // /dev/ptmx
        allow("c", 10, 200, "rwm"),                   // /dev/net/tun
    };
    for (const spec::Device& device : devices) {
        // Pipes ('p') have no device cgroup rule; 'u' is an unbuffered character device.
        if (device.type == 'p') {
            continue;
        }
        const char* type = device.type == 'b' ? "b" : "c";
        rules.push_back(allow(type, device.major, device.minor, "rwm"));
    }
    return rules;
}

}  // namespace ocirun::cgroups
