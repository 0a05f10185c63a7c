// Host platform detection and matching.
#include "image/platform.h"

#include <sys/utsname.h>

#include <map>

namespace ocirun::image {

std::string Platform::text() const {
    std::string result = os + "/" + architecture;
    if (!variant.empty()) {
        result += "/" + variant;
    }
    return result;
}

std::string go_architecture(const std::string& machine) {
    static const std::map<std::string, std::string> kNames = {
        {"x86_64", "amd64"},
        {"aarch64", "arm64"},
        {"armv7l", "arm"},
        {"armv6l", "arm"},
        {"i386", "386"},
        {"i686", "386"},
        {"ppc64le", "ppc64le"},
        {"s390x", "s390x"},
        {"riscv64", "riscv64"},
        {"mips64", "mips64"},
        {"loongarch64", "loong64"},
    };
    auto found = kNames.find(machine);
    return found == kNames.end() ? machine : found->second;
}

Platform host_platform() {
    utsname name{};
    ::uname(&name);
    Platform platform{"linux", go_architecture(name.machine), ""};
    std::string machine = name.machine;
    if (machine == "armv7l") {
        platform.variant = "v7";
    } else if (machine == "armv6l") {
        platform.variant = "v6";
    }
    return platform;
}

bool platform_matches(const Platform& image, const Platform& host) {
    if (image.os != host.os || image.architecture != host.architecture) {
        return false;
    }
    return image.variant.empty() || host.variant.empty() || image.variant == host.variant;
}

}  // namespace ocirun::image
