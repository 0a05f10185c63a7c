// Where an image's files come from: a directory (an OCI layout, or an unpacked `docker save`)
// or a tar archive of one (`podman save --format oci-archive`, `docker save`), read in place.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "image/stream.h"

namespace ocirun::image {

class ImageSource {
  public:
    // Opens `path`, a directory or a tar archive (optionally gzip- or zstd-compressed).
    // Throws Error naming the path when it is neither.
    explicit ImageSource(std::string path);

    const std::string& path() const { return path_; }
    bool is_archive() const { return is_archive_; }

    // True when the file `name` (relative, such as "index.json") exists in the source.
    bool contains(const std::string& name) const;

    // Opens the file `name` for reading. Throws Error(not_found) naming it when missing.
    std::unique_ptr<ByteStream> open(const std::string& name) const;

  private:
    std::string path_;
    bool is_archive_ = false;
    std::set<std::string> archive_names_;  // regular files of the archive, normalized
};

// Normalizes an archive member name: drops leading "./" and "/" parts.
std::string normalize_member_name(std::string name);

}  // namespace ocirun::image
