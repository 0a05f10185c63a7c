// The volumes of an image (Config.Volumes): each becomes a bind mount of a directory of the
// bundle, so that what the container writes there stays out of its rootfs, as the image spec's
// conversion rules recommend.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ocirun::image {

// The name of the bundle's directory that contains one directory per volume.
constexpr char kVolumesDir[] = "volumes";

// Makes a directory in `bundle_fd`'s kVolumesDir for each of `paths` (as volume_paths returns
// them, sorted) and returns the `mounts` entries that bind them, in the same order. The content
// the image has at a path moves into its volume's directory, and an empty directory with the
// same mode and owner stays in the rootfs as the mount point. Paths resolve inside `root_fd`
// with the rootfs as `/`. Throws Error when a path is not a directory in the image.
nlohmann::ordered_json make_volumes(int bundle_fd, int root_fd,
                                    const std::vector<std::string>& paths);

}  // namespace ocirun::image
