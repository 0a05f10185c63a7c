// Resolving a reference in an OCI image layout: index.json, nested indexes, the manifest and
// the config, each blob checked against its descriptor.
#include "image/resolve.h"

#include "base/error.h"

namespace ocirun::image {
namespace {

using Json = nlohmann::json;

constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr const char* kContainerdNameAnnotation = "io.containerd.image.name";

bool is_index_type(const std::string& media_type) {
    return media_type == "application/vnd.oci.image.index.v1+json" ||
           media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

bool is_manifest_type(const std::string& media_type) {
    return media_type == "application/vnd.oci.image.manifest.v1+json" ||
           media_type == "application/vnd.docker.distribution.manifest.v2+json";
}

bool is_layer_type(const std::string& media_type) {
    static const char* const kTypes[] = {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    };
    for (const char* type : kTypes) {
        if (media_type == type) {
            return true;
        }
    }
    return false;
}

std::string string_field(const Json& object, const char* key) {
    auto found = object.find(key);
    if (found == object.end() || !found->is_string()) {
        return "";
    }
    return found->get<std::string>();
}

// Reads a descriptor object; `where` names it in errors, such as "index.json: manifests[0]".
BlobRef parse_descriptor(const Json& json, const std::string& where) {
    if (!json.is_object()) {
        throw_error(where + ": a descriptor must be an object", ErrorKind::invalid_spec);
    }
    BlobRef blob;
    blob.media_type = string_field(json, "mediaType");
    std::string digest = string_field(json, "digest");
    if (digest.empty()) {
        throw_error(where + ".digest: missing", ErrorKind::invalid_spec);
    }
    try {
        blob.digest = parse_digest(digest);
    } catch (const Error& error) {
        throw error.with_context(where + ".digest");
    }
    auto size = json.find("size");
    if (size == json.end() || !size->is_number_unsigned()) {
        throw_error(where + ".size: missing or not a non-negative integer",
                    ErrorKind::invalid_spec);
    }
    blob.size = size->get<std::uint64_t>();
    blob.name = blob_path(blob.digest);
    return blob;
}

Platform descriptor_platform(const Json& descriptor) {
    Platform platform;
    auto found = descriptor.find("platform");
    if (found != descriptor.end() && found->is_object()) {
        platform.os = string_field(*found, "os");
        platform.architecture = string_field(*found, "architecture");
        platform.variant = string_field(*found, "variant");
    }
    return platform;
}

std::vector<std::string> reference_names(const Json& descriptor) {
    std::vector<std::string> names;
    auto annotations = descriptor.find("annotations");
    if (annotations == descriptor.end() || !annotations->is_object()) {
        return names;
    }
    for (const char* key : {kRefNameAnnotation, kContainerdNameAnnotation}) {
        std::string name = string_field(*annotations, key);
        if (!name.empty()) {
            names.push_back(name);
        }
    }
    return names;
}

// A tag matches a full reference name or its tag part, so `latest` finds
// "localhost/busybox:latest" as well as a layout annotated with just "latest".
bool reference_matches(const Json& descriptor, const std::string& reference) {
    if (looks_like_digest(reference)) {
        return string_field(descriptor, "digest") == reference;
    }
    for (const std::string& name : reference_names(descriptor)) {
        if (name == reference) {
            return true;
        }
        std::size_t colon = name.rfind(':');
        bool has_tag = colon != std::string::npos && name.find('/', colon) == std::string::npos;
        if (has_tag && name.substr(colon + 1) == reference) {
            return true;
        }
    }
    return false;
}

std::string available_references(const Json& manifests) {
    std::string list;
    for (const Json& descriptor : manifests) {
        std::vector<std::string> names = reference_names(descriptor);
        std::string entry = names.empty() ? string_field(descriptor, "digest") : names.front();
        list += (list.empty() ? "" : ", ") + entry;
    }
    return list.empty() ? "none" : list;
}

const Json& manifests_of(const Json& index, const std::string& where) {
    auto found = index.find("manifests");
    if (found == index.end() || !found->is_array()) {
        throw_error(where + ": manifests: missing or not an array", ErrorKind::invalid_spec);
    }
    return *found;
}

// Picks the descriptor `reference` names from the layout's index.json.
std::size_t select_by_reference(const Json& manifests, const std::string& reference,
                                const std::string& source_path) {
    if (reference.empty()) {
        if (manifests.size() == 1) {
            return 0;
        }
        throw_error("image " + quote(source_path) + " contains " +
                        std::to_string(manifests.size()) +
                        " images; pick one with a reference: " + available_references(manifests),
                    ErrorKind::not_found);
    }
    for (std::size_t i = 0; i < manifests.size(); ++i) {
        if (reference_matches(manifests[i], reference)) {
            return i;
        }
    }
    throw_error("image " + quote(source_path) + ": reference " + quote(reference) +
                    " not found; available: " + available_references(manifests),
                ErrorKind::not_found);
}

// Picks the manifest for `host` from an index; a descriptor with no platform matches any.
BlobRef select_by_platform(const Json& index, const std::string& where, const Platform& host) {
    const Json& manifests = manifests_of(index, where);
    std::string offered;
    for (std::size_t i = 0; i < manifests.size(); ++i) {
        Platform platform = descriptor_platform(manifests[i]);
        if (platform.os.empty() || platform_matches(platform, host)) {
            return parse_descriptor(manifests[i], where + ": manifests[" + std::to_string(i) + "]");
        }
        offered += (offered.empty() ? "" : ", ") + platform.text();
    }
    throw_error(where + ": no image for this machine's platform " + host.text() +
                    "; the index offers " + (offered.empty() ? "none" : offered),
                ErrorKind::unsupported);
}

std::vector<BlobRef> manifest_layers(const Json& manifest, const std::string& where) {
    auto found = manifest.find("layers");
    if (found == manifest.end() || !found->is_array()) {
        throw_error(where + ": layers: missing or not an array", ErrorKind::invalid_spec);
    }
    std::vector<BlobRef> layers;
    for (std::size_t i = 0; i < found->size(); ++i) {
        std::string layer_where = where + ": layers[" + std::to_string(i) + "]";
        BlobRef layer = parse_descriptor((*found)[i], layer_where);
        if (!is_layer_type(layer.media_type)) {
            throw_error(layer_where + ": unsupported layer media type " + quote(layer.media_type),
                        ErrorKind::unsupported);
        }
        layers.push_back(std::move(layer));
    }
    return layers;
}

// Follows index descriptors to a manifest and reads it and its config.
ResolvedImage read_manifest_chain(const ImageSource& source, BlobRef descriptor,
                                  const Platform& host) {
    // Nested indexes are followed a bounded number of times, so a cycle cannot loop.
    for (int depth = 0; depth < 8; ++depth) {
        std::string where = "blob " + quote(descriptor.digest.text());
        Json document = parse_document(read_verified_blob(source, descriptor), where);
        std::string media_type = descriptor.media_type.empty() ? string_field(document, "mediaType")
                                                               : descriptor.media_type;
        if (is_index_type(media_type) || (media_type.empty() && document.contains("manifests"))) {
            descriptor = select_by_platform(document, where, host);
            continue;
        }
        if (!media_type.empty() && !is_manifest_type(media_type)) {
            throw_error(where + ": unsupported manifest media type " + quote(media_type),
                        ErrorKind::unsupported);
        }
        auto config_json = document.find("config");
        if (config_json == document.end()) {
            throw_error(where + ": config: missing", ErrorKind::invalid_spec);
        }
        BlobRef config = parse_descriptor(*config_json, where + ": config");
        ResolvedImage image;
        image.config = parse_document(read_verified_blob(source, config),
                                      "config " + quote(config.digest.text()));
        image.config_digest = config.digest.text();
        image.layers = manifest_layers(document, where);
        check_config_platform(image.config, host);
        return image;
    }
    throw_error("image " + quote(source.path()) + ": indexes nested too deeply",
                ErrorKind::invalid_spec);
}

}  // namespace

std::string blob_path(const Digest& digest) {
    return "blobs/" + digest.algorithm + "/" + digest.hex;
}

Json parse_document(const std::string& text, const std::string& what) {
    Json document = Json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        throw_error(what + ": not a JSON object", ErrorKind::invalid_spec);
    }
    return document;
}

std::unique_ptr<VerifiedStream> open_verified_blob(const ImageSource& source, const BlobRef& blob) {
    return std::make_unique<VerifiedStream>(source.open(blob.name), blob.digest, blob.size,
                                            blob.digest.text());
}

std::string read_verified_blob(const ImageSource& source, const BlobRef& blob) {
    std::unique_ptr<VerifiedStream> stream = open_verified_blob(source, blob);
    return read_all(*stream, kMaxDocumentSize, "blob " + quote(blob.digest.text()));
}

void check_config_platform(const Json& config, const Platform& host) {
    Platform image{string_field(config, "os"), string_field(config, "architecture"),
                   string_field(config, "variant")};
    if (!platform_matches(image, host)) {
        throw_error("the image is for " + image.text() + " but this machine is " + host.text(),
                    ErrorKind::unsupported);
    }
}

ResolvedImage resolve_image(const ImageSource& source, const std::string& reference,
                            const Platform& host) {
    if (!source.contains("index.json")) {
        if (source.contains("manifest.json")) {
            return resolve_docker_image(source, reference, host);
        }
        throw_error("image " + quote(source.path()) +
                        ": neither an OCI layout (index.json) nor a docker save archive "
                        "(manifest.json)",
                    ErrorKind::invalid_spec);
    }
    std::string where = quote(source.path()) + ": index.json";
    Json index =
        parse_document(read_all(*source.open("index.json"), kMaxDocumentSize, where), where);
    const Json& manifests = manifests_of(index, where);
    std::size_t chosen = select_by_reference(manifests, reference, source.path());
    BlobRef descriptor =
        parse_descriptor(manifests[chosen], where + ": manifests[" + std::to_string(chosen) + "]");
    Platform platform = descriptor_platform(manifests[chosen]);
    if (!platform.os.empty() && !platform_matches(platform, host)) {
        throw_error("the image is for " + platform.text() + " but this machine is " + host.text(),
                    ErrorKind::unsupported);
    }
    return read_manifest_chain(source, std::move(descriptor), host);
}

}  // namespace ocirun::image
