// Resolving a reference in a `docker save` archive: manifest.json names the config file and
// the layer tars, and the config's rootfs.diff_ids give the digest of each layer tar.
#include "base/error.h"
#include "image/resolve.h"

namespace ocirun::image {
namespace {

using Json = nlohmann::json;

std::vector<std::string> repo_tags(const Json& entry) {
    std::vector<std::string> tags;
    auto found = entry.find("RepoTags");
    if (found != entry.end() && found->is_array()) {
        for (const Json& tag : *found) {
            if (tag.is_string()) {
                tags.push_back(tag.get<std::string>());
            }
        }
    }
    return tags;
}

// A tag matches a full "name:tag", or its tag part alone.
bool tag_matches(const Json& entry, const std::string& reference) {
    for (const std::string& tag : repo_tags(entry)) {
        std::size_t colon = tag.rfind(':');
        if (tag == reference ||
            (colon != std::string::npos && tag.substr(colon + 1) == reference)) {
            return true;
        }
    }
    return false;
}

std::string config_name(const Json& entry) {
    auto found = entry.find("Config");
    if (found == entry.end() || !found->is_string()) {
        throw_error("manifest.json: Config: missing or not a string", ErrorKind::invalid_spec);
    }
    return found->get<std::string>();
}

// The config's digest is its file name: "<hex>.json" from older docker, "blobs/sha256/<hex>"
// from docker 25 and later.
Digest config_digest(const std::string& name) {
    std::string base = name.substr(name.rfind('/') + 1);
    if (base.ends_with(".json")) {
        base.resize(base.size() - 5);
    }
    std::string algorithm = "sha256";
    if (name.starts_with("blobs/")) {
        std::size_t slash = name.find('/', 6);
        algorithm = name.substr(6, slash - 6);
    }
    try {
        return parse_digest(algorithm + ":" + base);
    } catch (const Error& error) {
        throw error.with_context("manifest.json: Config " + quote(name));
    }
}

std::size_t select_entry(const Json& manifest, const std::string& reference,
                         const std::string& source_path) {
    if (!manifest.is_array() || manifest.empty()) {
        throw_error(quote(source_path) + ": manifest.json: expected a non-empty array",
                    ErrorKind::invalid_spec);
    }
    std::string available;
    for (std::size_t i = 0; i < manifest.size(); ++i) {
        bool matches = reference.empty()
                           ? manifest.size() == 1
                           : (tag_matches(manifest[i], reference) ||
                              config_digest(config_name(manifest[i])).text() == reference);
        if (matches) {
            return i;
        }
        std::vector<std::string> tags = repo_tags(manifest[i]);
        available += (available.empty() ? "" : ", ") +
                     (tags.empty() ? config_name(manifest[i]) : tags.front());
    }
    if (reference.empty()) {
        throw_error("image " + quote(source_path) + " contains " + std::to_string(manifest.size()) +
                        " images; pick one with a reference: " + available,
                    ErrorKind::not_found);
    }
    throw_error("image " + quote(source_path) + ": reference " + quote(reference) +
                    " not found; available: " + available,
                ErrorKind::not_found);
}

std::vector<std::string> diff_ids(const Json& config) {
    std::vector<std::string> ids;
    auto rootfs = config.find("rootfs");
    if (rootfs == config.end() || !rootfs->is_object() || !rootfs->contains("diff_ids") ||
        !(*rootfs)["diff_ids"].is_array()) {
        throw_error("config: rootfs.diff_ids: missing or not an array", ErrorKind::invalid_spec);
    }
    for (const Json& id : (*rootfs)["diff_ids"]) {
        if (!id.is_string()) {
            throw_error("config: rootfs.diff_ids: expected strings", ErrorKind::invalid_spec);
        }
        ids.push_back(id.get<std::string>());
    }
    return ids;
}

}  // namespace

ResolvedImage resolve_docker_image(const ImageSource& source, const std::string& reference,
                                   const Platform& host) {
    std::string where = quote(source.path()) + ": manifest.json";
    Json manifest = Json::parse(read_all(*source.open("manifest.json"), kMaxDocumentSize, where),
                                nullptr, false);
    if (manifest.is_discarded()) {
        throw_error(where + ": invalid JSON", ErrorKind::invalid_spec);
    }
    const Json& entry = manifest[select_entry(manifest, reference, source.path())];

    BlobRef config{config_name(entry), config_digest(config_name(entry)), std::nullopt, ""};
    ResolvedImage image;
    image.config =
        parse_document(read_verified_blob(source, config), "config " + quote(config.digest.text()));
    image.config_digest = config.digest.text();
    check_config_platform(image.config, host);

    auto layers = entry.find("Layers");
    if (layers == entry.end() || !layers->is_array()) {
        throw_error(where + ": Layers: missing or not an array", ErrorKind::invalid_spec);
    }
    std::vector<std::string> ids = diff_ids(image.config);
    if (ids.size() != layers->size()) {
        throw_error(where + ": " + std::to_string(layers->size()) + " layers but the config has " +
                        std::to_string(ids.size()) + " diff_ids",
                    ErrorKind::invalid_spec);
    }
    // docker save writes uncompressed layer tars, so each hashes to its diff_id.
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (!(*layers)[i].is_string()) {
            throw_error(where + ": Layers[" + std::to_string(i) + "]: not a string",
                        ErrorKind::invalid_spec);
        }
        BlobRef layer;
        layer.name = normalize_member_name((*layers)[i].get<std::string>());
        layer.digest = parse_digest(ids[i]);
        layer.media_type = "application/vnd.docker.image.rootfs.diff.tar";
        image.layers.push_back(std::move(layer));
    }
    return image;
}

}  // namespace ocirun::image
