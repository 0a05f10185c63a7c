// Image bundles of containers created with --image.
#include "image/container_bundle.h"

#include <sys/stat.h>

#include <cerrno>

#include "base/error.h"
#include "image/unpack.h"

namespace ocirun::image {

std::string unpack_for_container(const std::string& state_root, const std::string& id,
                                 const std::string& image, bool terminal) {
    // The id becomes a path component here, before create validates it fully.
    if (id.empty() || id == "." || id == ".." || id.find('/') != std::string::npos) {
        throw_error("invalid container id " + quote(id));
    }
    std::error_code error;
    std::filesystem::create_directories(state_root, error);
    if (error) {
        throw_errno("create the state root " + quote(state_root), error.value());
    }
    std::string bundles = image_bundles_dir(state_root);
    if (::mkdir(bundles.c_str(), 0700) != 0 && errno != EEXIST) {
        throw_errno("create " + quote(bundles));
    }
    std::string bundle = container_bundle_dir(state_root, id);
    if (::mkdir(bundle.c_str(), 0700) != 0) {
        if (errno == EEXIST) {
            throw_error("container with id exists: " + id, ErrorKind::already_exists);
        }
        throw_errno("create " + quote(bundle));
    }
    UnpackOptions options;
    std::string source;
    split_image_reference(image, source, options.reference);
    options.conversion.hostname = id;
    options.conversion.terminal = terminal;
    try {
        unpack_image(source, bundle, options);
    } catch (...) {
        remove_container_bundle(state_root, id);
        throw;
    }
    return bundle;
}

}  // namespace ocirun::image
