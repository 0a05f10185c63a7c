// The platform (os, architecture, variant) of images and of this machine, in the Go names the
// image spec uses ("amd64", "arm64").
#pragma once

#include <string>

namespace ocirun::image {

struct Platform {
    std::string os;
    std::string architecture;
    std::string variant;  // empty when the architecture has none or it is unknown

    // "os/architecture[/variant]", as registries and podman print it.
    std::string text() const;
};

// Returns the platform of the running kernel: linux and uname's machine in Go's names.
Platform host_platform();

// Maps a uname machine name such as "x86_64" to Go's name ("amd64"); unknown names pass through.
std::string go_architecture(const std::string& machine);

// True when an image for `image` runs on `host`. An empty variant matches any variant.
bool platform_matches(const Platform& image, const Platform& host);

}  // namespace ocirun::image
