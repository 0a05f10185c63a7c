// `image unpack`: an image from an OCI layout, an OCI archive or a `docker save` archive
// becomes a runtime bundle, rootfs/ plus a config.json converted from the image config.
#pragma once

#include <string>

#include "image/platform.h"
#include "image/runtime_config.h"

namespace ocirun::image {

struct UnpackOptions {
    std::string reference;  // tag or digest; empty when the source contains one image
    ConversionOptions conversion;
    Platform platform = host_platform();
};

// Unpacks the image `reference` names in `source` into `bundle`, which must be missing or an
// empty directory. Every blob is checked against its digest and size; layers are applied in
// order with apply_layer. On failure the rootfs and config.json written so far are removed,
// and `bundle` too when this call created it. Throws Error.
void unpack_image(const std::string& source, const std::string& bundle,
                  const UnpackOptions& options);

// Splits "SOURCE[:TAG]" or "SOURCE@DIGEST" into the source path and the reference. An existing
// path is taken whole, so a path containing `:` needs no reference.
void split_image_reference(const std::string& text, std::string& source, std::string& reference);

}  // namespace ocirun::image
