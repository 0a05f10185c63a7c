// Unpacking: resolve the image, apply its layers into rootfs/, write config.json.
#include "image/unpack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/log.h"
#include "image/decompress_process.h"
#include "image/layer.h"
#include "image/resolve.h"
#include "image/user.h"
#include "image/volumes.h"
#include "rootfs/fd.h"

namespace ocirun::image {
namespace {

// Creates `bundle` or accepts it empty; returns true when this call created it.
bool prepare_bundle(const std::string& bundle) {
    if (::mkdir(bundle.c_str(), 0755) == 0) {
        return true;
    }
    if (errno != EEXIST) {
        throw_errno("create the bundle directory " + quote(bundle));
    }
    std::error_code error;
    if (!std::filesystem::is_directory(bundle, error) ||
        !std::filesystem::is_empty(bundle, error)) {
        throw_error("bundle " + quote(bundle) + " exists and is not an empty directory",
                    ErrorKind::already_exists);
    }
    return false;
}

rootfs::Fd make_rootfs(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) != 0) {
        throw_errno("create " + quote(path));
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        throw_errno("open " + quote(path));
    }
    return rootfs::Fd(fd);
}

void apply_layers(const ImageSource& source, const ResolvedImage& image, int root_fd) {
    for (std::size_t i = 0; i < image.layers.size(); ++i) {
        const BlobRef& layer = image.layers[i];
        log::debug("apply layer " + std::to_string(i + 1) + "/" +
                   std::to_string(image.layers.size()) + " " + layer.digest.text());
        DecompressedStream stream(open_verified_blob(source, layer), layer.digest.text());
        try {
            apply_layer(root_fd, stream, layer.digest.text());
        } catch (const Error&) {
            // A corrupt blob usually fails as a damaged tar first, so the digest check reports
            // the cause.
            stream.finish();
            throw;
        }
        // The tar ends before its blob does: padding follows the end-of-archive blocks.
        stream.finish();
    }
}

// Moves the image's volumes into the bundle and appends their mounts to `config`.
void add_volumes(const std::string& bundle, int root_fd, const nlohmann::json& image_config,
                 nlohmann::ordered_json& config) {
    std::vector<std::string> paths = volume_paths(image_config);
    if (paths.empty()) {
        return;
    }
    rootfs::Fd bundle_fd(::open(bundle.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!bundle_fd.valid()) {
        throw_errno("open the bundle directory " + quote(bundle));
    }
    for (nlohmann::ordered_json& mount : make_volumes(bundle_fd.get(), root_fd, paths)) {
        config["mounts"].push_back(std::move(mount));
    }
}

void write_config(const std::string& path, const nlohmann::ordered_json& config) {
    std::ofstream out(path, std::ios::out | std::ios::trunc);
    out << config.dump(1, '\t');
    out.close();
    if (!out) {
        throw_error("write " + quote(path) + " failed");
    }
}

void remove_partial(const std::string& bundle, bool created) {
    std::error_code error;
    if (created) {
        std::filesystem::remove_all(bundle, error);
    } else {
        std::filesystem::remove_all(bundle + "/rootfs", error);
        std::filesystem::remove_all(bundle + "/" + kVolumesDir, error);
        std::filesystem::remove(bundle + "/config.json", error);
    }
    if (error) {
        log::warning("remove the partly unpacked bundle " + quote(bundle) + ": " + error.message());
    }
}

}  // namespace

void unpack_image(const std::string& source_path, const std::string& bundle,
                  const UnpackOptions& options) {
    ImageSource source(source_path);
    ResolvedImage image = resolve_image(source, options.reference, options.platform);
    bool created = prepare_bundle(bundle);
    try {
        rootfs::Fd root = make_rootfs(bundle + "/rootfs");
        apply_layers(source, image, root.get());
        ResolvedUser user = resolve_user(root.get(), config_user(image.config));
        nlohmann::ordered_json config = runtime_config(image.config, user, options.conversion);
        add_volumes(bundle, root.get(), image.config, config);
        write_config(bundle + "/config.json", config);
    } catch (...) {
        remove_partial(bundle, created);
        throw;
    }
}

void split_image_reference(const std::string& text, std::string& source, std::string& reference) {
    struct stat info {};
    source = text;
    reference.clear();
    if (::stat(text.c_str(), &info) == 0) {
        return;
    }
    std::size_t at = text.rfind('@');
    if (at != std::string::npos && looks_like_digest(text.substr(at + 1))) {
        source = text.substr(0, at);
        reference = text.substr(at + 1);
        return;
    }
    std::size_t colon = text.rfind(':');
    if (colon != std::string::npos && text.find('/', colon) == std::string::npos) {
        source = text.substr(0, colon);
        reference = text.substr(colon + 1);
    }
}

}  // namespace ocirun::image
