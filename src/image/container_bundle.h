// Where `create --image` and `run --image` keep the bundle they unpack: under the state root,
// beside the container's state directory, so that `delete` removes it with the container.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace ocirun::image {

// The directory of image bundles under a state root. The leading dot keeps it out of the ids
// managers use, and `list` skips it because it has no state.json.
inline std::string image_bundles_dir(const std::string& state_root) {
    return state_root + "/.images";
}

inline std::string container_bundle_dir(const std::string& state_root, const std::string& id) {
    return image_bundles_dir(state_root) + "/" + id;
}

// Removes the image bundle of container `id`, if it has one; returns the error, if any.
// Inline so that `delete` in the container module needs no link to the image module.
inline std::error_code remove_container_bundle(const std::string& state_root,
                                               const std::string& id) {
    std::error_code error;
    std::filesystem::remove_all(container_bundle_dir(state_root, id), error);
    return error;
}

// Unpacks `image` ("SOURCE[:TAG]" or "SOURCE@DIGEST") into container_bundle_dir(state_root,
// id), with the hostname set to `id` and process.terminal to `terminal`, and returns that
// directory. Throws Error(already_exists) when the directory exists, so a second create with
// the same id cannot replace a running container's rootfs. Removes the bundle on failure.
std::string unpack_for_container(const std::string& state_root, const std::string& id,
                                 const std::string& image, bool terminal);

}  // namespace ocirun::image
