// Test helpers that write layers (tar, tar+gzip, tar+zstd) with libarchive and assemble them
// into OCI image layouts and `docker save` directories.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

struct archive;

namespace ocirun::image::testing {

enum class Compression { none, gzip, zstd };

// Builds one layer in memory. Entries get uid/gid `owner` unless given, mode 0644 for files
// and 0755 for directories, and mtime 1700000000.
class LayerBuilder {
  public:
    explicit LayerBuilder(Compression compression = Compression::none);
    ~LayerBuilder();
    LayerBuilder(const LayerBuilder&) = delete;
    LayerBuilder& operator=(const LayerBuilder&) = delete;

    LayerBuilder& file(const std::string& path, const std::string& content, mode_t mode = 0644,
                       const std::map<std::string, std::string>& xattrs = {});
    LayerBuilder& directory(const std::string& path, mode_t mode = 0755);
    LayerBuilder& symlink(const std::string& path, const std::string& target);
    LayerBuilder& hardlink(const std::string& path, const std::string& target);
    LayerBuilder& fifo(const std::string& path);
    LayerBuilder& device(const std::string& path, bool block, unsigned major, unsigned minor);
    // Adds every file below `dir` with its real metadata and xattrs, as `tar --xattrs` would.
    LayerBuilder& tree(const std::string& dir);

    // Sets the owner and mtime of the entries added after this call.
    LayerBuilder& owner(uid_t uid, gid_t gid);
    LayerBuilder& mtime(time_t seconds, long nanoseconds = 0);

    // Finishes the archive and returns its bytes; the builder is unusable afterwards.
    std::string finish();

    // The uncompressed tar, for diff_ids; valid after finish().
    const std::string& uncompressed() const { return uncompressed_; }

  private:
    void add(const std::string& path, unsigned type, mode_t mode, const std::string& content,
             const std::map<std::string, std::string>& xattrs = {}, const std::string& link = "",
             bool hard = false, dev_t device = 0);

    Compression compression_;
    archive* writer_ = nullptr;
    archive* plain_writer_ = nullptr;
    std::string output_;
    std::string uncompressed_;
    uid_t uid_;
    gid_t gid_;
    time_t mtime_ = 1700000000;
    long mtime_nsec_ = 0;
};

std::string sha256(const std::string& data);
std::string media_type(Compression compression);

// A descriptor of a blob written to a layout.
nlohmann::json descriptor(const std::string& media_type, const std::string& data);

// A minimal image config for this machine with the given layers' diff_ids and `config`.
nlohmann::json image_config(const std::vector<std::string>& uncompressed_layers,
                            const nlohmann::json& config = nlohmann::json::object());

struct Layer {
    std::string blob;
    std::string uncompressed;
    Compression compression = Compression::none;
};

// Writes an OCI layout into `dir`: the blobs, a manifest, and index.json naming it `tag`.
// Returns the manifest's descriptor.
nlohmann::json write_layout(const std::string& dir, const std::vector<Layer>& layers,
                            const nlohmann::json& config, const std::string& tag = "latest");

// Writes `data` into the layout's blobs directory and returns its descriptor.
nlohmann::json write_blob(const std::string& dir, const std::string& media_type,
                          const std::string& data);

// Writes a `docker save` directory: manifest.json, <hex>.json and <n>/layer.tar.
void write_docker_save(const std::string& dir, const std::vector<Layer>& layers,
                       const nlohmann::json& config, const std::string& repo_tag);

void write_text(const std::string& path, const std::string& data);
std::string read_text(const std::string& path);

// Makes a temporary directory and removes it (and all below) when destroyed, unless
// $OCIRUN_TEST_KEEP is set, which keeps it for a look after a failure.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace ocirun::image::testing
