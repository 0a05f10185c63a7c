// Layer and layout writers for the image tests.
#include "layout_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "image/digest.h"
#include "image/platform.h"

namespace ocirun::image::testing {
namespace {

la_ssize_t append_callback(archive*, void* client, const void* buffer, size_t length) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
}

archive* new_writer(Compression compression, std::string& output) {
    archive* writer = archive_write_new();
    archive_write_set_format_pax(writer);
    if (compression == Compression::gzip) {
        archive_write_add_filter_gzip(writer);
    } else if (compression == Compression::zstd) {
        archive_write_add_filter_zstd(writer);
    }
    archive_write_set_bytes_in_last_block(writer, 1);
    if (archive_write_open(writer, &output, nullptr, append_callback, nullptr) != ARCHIVE_OK) {
        throw std::runtime_error(archive_error_string(writer));
    }
    return writer;
}

void write_to(archive* writer, archive_entry* entry, const std::string& content) {
    if (archive_write_header(writer, entry) != ARCHIVE_OK) {
        throw std::runtime_error(std::string("write header: ") + archive_error_string(writer));
    }
    if (!content.empty() && archive_write_data(writer, content.data(), content.size()) !=
                                static_cast<la_ssize_t>(content.size())) {
        throw std::runtime_error(std::string("write data: ") + archive_error_string(writer));
    }
}

}  // namespace

LayerBuilder::LayerBuilder(Compression compression)
    : compression_(compression), uid_(geteuid()), gid_(getegid()) {
    writer_ = new_writer(compression, output_);
    plain_writer_ = new_writer(Compression::none, uncompressed_);
}

LayerBuilder::~LayerBuilder() {
    if (writer_ != nullptr) {
        archive_write_free(writer_);
    }
    if (plain_writer_ != nullptr) {
        archive_write_free(plain_writer_);
    }
}

void LayerBuilder::add(const std::string& path, unsigned type, mode_t mode,
                       const std::string& content, const std::map<std::string, std::string>& xattrs,
                       const std::string& link, bool hard, dev_t device) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, type);
    archive_entry_set_perm(entry, mode);
    archive_entry_set_uid(entry, uid_);
    archive_entry_set_gid(entry, gid_);
    archive_entry_set_mtime(entry, mtime_, mtime_nsec_);
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    if (hard) {
        archive_entry_set_hardlink(entry, link.c_str());
        archive_entry_set_size(entry, 0);
    } else if (!link.empty()) {
        archive_entry_set_symlink(entry, link.c_str());
    }
    if (device != 0) {
        archive_entry_set_rdev(entry, device);
    }
    for (const auto& [name, value] : xattrs) {
        archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
    }
    write_to(writer_, entry, content);
    write_to(plain_writer_, entry, content);
    archive_entry_free(entry);
}

LayerBuilder& LayerBuilder::file(const std::string& path, const std::string& content, mode_t mode,
                                 const std::map<std::string, std::string>& xattrs) {
    add(path, AE_IFREG, mode, content, xattrs);
    return *this;
}

LayerBuilder& LayerBuilder::directory(const std::string& path, mode_t mode) {
    add(path, AE_IFDIR, mode, "");
    return *this;
}

LayerBuilder& LayerBuilder::symlink(const std::string& path, const std::string& target) {
    add(path, AE_IFLNK, 0777, "", {}, target);
    return *this;
}

LayerBuilder& LayerBuilder::hardlink(const std::string& path, const std::string& target) {
    add(path, AE_IFREG, 0644, "", {}, target, true);
    return *this;
}

LayerBuilder& LayerBuilder::fifo(const std::string& path) {
    add(path, AE_IFIFO, 0644, "");
    return *this;
}

LayerBuilder& LayerBuilder::device(const std::string& path, bool block, unsigned major,
                                   unsigned minor) {
    add(path, block ? AE_IFBLK : AE_IFCHR, 0660, "", {}, "", false, makedev(major, minor));
    return *this;
}

LayerBuilder& LayerBuilder::owner(uid_t uid, gid_t gid) {
    uid_ = uid;
    gid_ = gid;
    return *this;
}

LayerBuilder& LayerBuilder::mtime(time_t seconds, long nanoseconds) {
    mtime_ = seconds;
    mtime_nsec_ = nanoseconds;
    return *this;
}

LayerBuilder& LayerBuilder::tree(const std::string& dir) {
    archive* disk = archive_read_disk_new();
    archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
    archive_read_disk_set_symlink_physical(disk);
    std::filesystem::path base(dir);
    std::vector<std::filesystem::path> paths;
    for (auto it = std::filesystem::recursive_directory_iterator(base);
         it != std::filesystem::recursive_directory_iterator(); ++it) {
        paths.push_back(it->path());
    }
    // A hard link needs its first path written before it.
    std::sort(paths.begin(), paths.end());
    std::map<std::pair<dev_t, ino_t>, std::string> first_links;
    for (const auto& path : paths) {
        std::string relative = path.lexically_relative(base).string();
        archive_entry* entry = archive_entry_new();
        archive_entry_copy_sourcepath(entry, path.c_str());
        archive_entry_set_pathname(entry, relative.c_str());
        if (archive_read_disk_entry_from_file(disk, entry, -1, nullptr) != ARCHIVE_OK) {
            throw std::runtime_error(archive_error_string(disk));
        }
        archive_entry_set_pathname(entry, relative.c_str());
        // The data is written whole, holes included, so no sparse map may announce less.
        archive_entry_sparse_clear(entry);
        struct stat info {};
        lstat(path.c_str(), &info);
        std::string content;
        if (S_ISREG(info.st_mode) && info.st_nlink > 1) {
            auto key = std::make_pair(info.st_dev, info.st_ino);
            auto found = first_links.find(key);
            if (found != first_links.end()) {
                archive_entry_set_hardlink(entry, found->second.c_str());
                archive_entry_set_size(entry, 0);
            } else {
                first_links[key] = relative;
            }
        }
        if (S_ISREG(info.st_mode) && archive_entry_hardlink(entry) == nullptr) {
            content = read_text(path.string());
        }
        write_to(writer_, entry, content);
        write_to(plain_writer_, entry, content);
        archive_entry_free(entry);
    }
    archive_read_free(disk);
    return *this;
}

std::string LayerBuilder::finish() {
    archive_write_close(writer_);
    archive_write_free(writer_);
    writer_ = nullptr;
    archive_write_close(plain_writer_);
    archive_write_free(plain_writer_);
    plain_writer_ = nullptr;
    return output_;
}

std::string sha256(const std::string& data) {
    return "sha256:" + hash_hex("sha256", data);
}

std::string media_type(Compression compression) {
    switch (compression) {
        case Compression::gzip:
            return "application/vnd.oci.image.layer.v1.tar+gzip";
        case Compression::zstd:
            return "application/vnd.oci.image.layer.v1.tar+zstd";
        case Compression::none:
            break;
    }
    return "application/vnd.oci.image.layer.v1.tar";
}

nlohmann::json descriptor(const std::string& type, const std::string& data) {
    return {{"mediaType", type}, {"digest", sha256(data)}, {"size", data.size()}};
}

nlohmann::json image_config(const std::vector<std::string>& uncompressed_layers,
                            const nlohmann::json& config) {
    nlohmann::json diff_ids = nlohmann::json::array();
    for (const std::string& layer : uncompressed_layers) {
        diff_ids.push_back(sha256(layer));
    }
    return {{"architecture", host_platform().architecture},
            {"os", "linux"},
            {"config", config},
            {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
}

nlohmann::json write_blob(const std::string& dir, const std::string& type,
                          const std::string& data) {
    std::filesystem::create_directories(dir + "/blobs/sha256");
    write_text(dir + "/blobs/sha256/" + hash_hex("sha256", data), data);
    return descriptor(type, data);
}

nlohmann::json write_layout(const std::string& dir, const std::vector<Layer>& layers,
                            const nlohmann::json& config, const std::string& tag) {
    nlohmann::json layer_descriptors = nlohmann::json::array();
    for (const Layer& layer : layers) {
        layer_descriptors.push_back(write_blob(dir, media_type(layer.compression), layer.blob));
    }
    nlohmann::json manifest = {
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
        {"config", write_blob(dir, "application/vnd.oci.image.config.v1+json", config.dump())},
        {"layers", layer_descriptors}};
    nlohmann::json manifest_descriptor =
        write_blob(dir, "application/vnd.oci.image.manifest.v1+json", manifest.dump());
    manifest_descriptor["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
    nlohmann::json index = {{"schemaVersion", 2}, {"manifests", {manifest_descriptor}}};
    write_text(dir + "/index.json", index.dump());
    write_text(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    return manifest_descriptor;
}

void write_docker_save(const std::string& dir, const std::vector<Layer>& layers,
                       const nlohmann::json& config, const std::string& repo_tag) {
    std::string config_text = config.dump();
    std::string config_name = hash_hex("sha256", config_text) + ".json";
    write_text(dir + "/" + config_name, config_text);
    nlohmann::json layer_names = nlohmann::json::array();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        std::string name = "layer" + std::to_string(i) + "/layer.tar";
        std::filesystem::create_directories(dir + "/layer" + std::to_string(i));
        write_text(dir + "/" + name, layers[i].uncompressed);
        layer_names.push_back(name);
    }
    nlohmann::json manifest = nlohmann::json::array(
        {{{"Config", config_name}, {"RepoTags", {repo_tag}}, {"Layers", layer_names}}});
    write_text(dir + "/manifest.json", manifest.dump());
}

void write_text(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out) {
        throw std::runtime_error("write " + path);
    }
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

TempDir::TempDir() {
    std::string pattern = "/tmp/ocirun-image-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    if (std::getenv("OCIRUN_TEST_KEEP") != nullptr) {
        return;
    }
    std::error_code error;
    std::filesystem::remove_all(path_, error);
}

}  // namespace ocirun::image::testing
