// Where an image's files come from: a directory (an OCI layout, or an unpacked `docker save`)
// or a tar archive of one (`podman save --format oci-archive`, `docker save`), read in place.
#pragma once

#include <map>
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
    // Follows archive symlinks from `name` to a regular member; returns "" when there is none.
    std::string resolve_member(const std::string& name) const;

    std::string path_;
    bool is_archive_ = false;
    std::set<std::string> archive_names_;  // regular files of the archive, normalized
    // Symlink members and their targets as normalized member names. `docker save` stores a
    // layer that repeats as a symlink to its first copy, and `podman save --format
    // docker-archive` (4.3) stores each "<id>/layer.tar" as a symlink to "<diff_id>.tar".
    std::map<std::string, std::string> archive_links_;
};

// Normalizes an archive member name: drops leading "./" and "/" parts.
std::string normalize_member_name(std::string name);

}  // namespace ocirun::image
