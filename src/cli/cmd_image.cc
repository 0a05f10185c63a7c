// `ocirun image unpack`: turns an OCI layout, OCI archive or `docker save` archive into a
// runtime bundle.
#include <filesystem>

#include "base/error.h"
#include "cli/command.h"
#include "image/unpack.h"

namespace ocirun::cli {

void add_image(CLI::App& app, ParsedCommand& parsed) {
    CLI::App* image = app.add_subcommand("image", "work with OCI images");
    image->require_subcommand(1);
    CLI::App* unpack = image->add_subcommand(
        "unpack",
        "unpack an image into a bundle: rootfs/ and a config.json converted from the image "
        "config");
    unpack->add_option("--ref", parsed.image_reference,
                       "tag or digest of the image in SOURCE (default: its only image)");
    unpack->add_flag("-t,--tty", parsed.image_tty,
                     "set process.terminal in config.json, for a shell in the container");
    unpack
        ->add_option("source", parsed.image_source,
                     "an OCI image layout directory, an OCI archive (podman save --format "
                     "oci-archive) or a docker save archive, optionally followed by :TAG or "
                     "@DIGEST")
        ->required();
    unpack
        ->add_option("bundle", parsed.image_bundle,
                     "bundle directory to create; it must be missing or empty")
        ->required();
}

int run_image(const ParsedCommand& parsed) {
    image::UnpackOptions options;
    std::string source = parsed.image_source;
    if (parsed.image_reference.empty()) {
        // SOURCE:TAG and SOURCE@DIGEST, as --image takes them.
        image::split_image_reference(parsed.image_source, source, options.reference);
    } else {
        options.reference = parsed.image_reference;
    }
    options.conversion.terminal = parsed.image_tty;
    // The bundle is usually named after the container that will run it.
    options.conversion.hostname =
        std::filesystem::absolute(parsed.image_bundle).lexically_normal().filename().string();
    if (options.conversion.hostname.empty()) {
        options.conversion.hostname = "ocirun";
    }
    image::unpack_image(source, parsed.image_bundle, options);
    return 0;
}

}  // namespace ocirun::cli
