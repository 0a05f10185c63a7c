// Choosing one image in a source: the reference (tag or digest) picks a manifest from an OCI
// index or a `docker save` manifest.json, an index is narrowed to this machine's platform, and
// the result is the verified image config and the layer blobs to apply in order.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "image/digest.h"
#include "image/platform.h"
#include "image/source.h"

namespace ocirun::image {

// A blob to read from the source: its file there and what it must hash to.
struct BlobRef {
    std::string name;  // path inside the source, e.g. "blobs/sha256/<hex>"
    Digest digest;
    std::optional<std::uint64_t> size;  // absent when no descriptor gives it (docker save)
    std::string media_type;
};

struct ResolvedImage {
    nlohmann::json config;  // the image config, parsed after its digest was checked
    std::string config_digest;
    std::vector<BlobRef> layers;  // base layer first
};

// Index, manifest and config documents are read into memory; none is this large in practice.
constexpr std::size_t kMaxDocumentSize = 16 << 20;

// Picks the image `reference` names in `source` (empty: the only one) and reads its manifest
// and config. An OCI layout is used when the source has index.json, a `docker save` archive
// when it has only manifest.json. Throws Error(not_found) listing the available references
// when none matches, and Error naming both platforms when the image is for another machine.
ResolvedImage resolve_image(const ImageSource& source, const std::string& reference,
                            const Platform& host);

// Reads the blob `blob` completely, checking its digest and size before returning it.
std::string read_verified_blob(const ImageSource& source, const BlobRef& blob);

// Opens `blob` as a stream that checks its digest and size at the end.
std::unique_ptr<VerifiedStream> open_verified_blob(const ImageSource& source, const BlobRef& blob);

// Returns the path of a blob in an OCI layout, "blobs/<algorithm>/<hex>".
std::string blob_path(const Digest& digest);

// Throws Error naming both platforms unless the config's os and architecture match `host`.
void check_config_platform(const nlohmann::json& config, const Platform& host);

// Returns a blob list for a `docker save` source (manifest.json); see resolve_image.
ResolvedImage resolve_docker_image(const ImageSource& source, const std::string& reference,
                                   const Platform& host);

// Parses JSON read from `what`, naming it in the error.
nlohmann::json parse_document(const std::string& text, const std::string& what);

}  // namespace ocirun::image
