// The layer loop: libarchive reads the tar from a ByteStream, and each entry becomes a
// whiteout, an opaque marker or a file written by write_entry.
#include "image/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <exception>
#include <set>
#include <vector>

#include "base/error.h"
#include "image/layer_entry.h"
#include "image/stream_archive.h"
#include "rootfs/safe_path.h"

namespace ocirun::image {
namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueMarker = ".wh..wh..opq";

// Restores the process umask on scope exit; modes from the layer must be exact.
class UmaskGuard {
  public:
    UmaskGuard() : saved_(::umask(0)) {}
    ~UmaskGuard() { ::umask(saved_); }
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;

  private:
    mode_t saved_;
};

std::string entry_path(archive_entry* entry) {
    const char* path = archive_entry_pathname(entry);
    if (path == nullptr) {
        path = archive_entry_pathname_utf8(entry);
    }
    if (path == nullptr) {
        throw_error("entry without a path name");
    }
    return path;
}

// The root directory's own entry ("./") only updates the root's metadata.
void apply_root_entry(int root_fd, archive_entry* entry) {
    if (archive_entry_filetype(entry) != AE_IFDIR) {
        throw_error("entry " + quote(entry_path(entry)) + " would replace the root directory");
    }
    if (::fchown(root_fd, static_cast<uid_t>(archive_entry_uid(entry)),
                 static_cast<gid_t>(archive_entry_gid(entry))) != 0 ||
        ::fchmod(root_fd, archive_entry_perm(entry) & 07777) != 0) {
        throw_errno("set the owner and mode of the root directory");
    }
}

// Removes the lower-layer entry that the whiteout `parts` names. A whiteout hides only entries
// of lower layers, so an entry this layer wrote (listed in `written`) stays. The name after
// the prefix must be one path component: ".wh.." and ".wh..." would otherwise name the
// directory itself or its parent, which for the root directory is outside the rootfs.
void remove_whited_out(int root_fd, const std::vector<std::string>& parts,
                       const std::set<std::string>& written) {
    std::string name = parts.back().substr(std::string(kWhiteoutPrefix).size());
    if (name.empty() || name == "." || name == "..") {
        throw_error("invalid whiteout " + quote(parts.back()) + ": it names no entry",
                    ErrorKind::invalid_spec);
    }
    std::string parent_path = join_components(parts, parts.size() - 1);
    std::string target_path = parent_path.empty() ? name : parent_path + "/" + name;
    if (written.count(target_path) != 0) {
        return;
    }
    rootfs::Fd parent = rootfs::open_in_root_if_exists(root_fd, parent_path, O_PATH | O_DIRECTORY);
    if (parent.valid()) {
        remove_tree(parent.get(), name);
    }
}

// Directory mtimes go last, deepest first, because creating entries changed them.
void apply_deferred_times(int root_fd, const std::vector<DeferredTime>& deferred) {
    for (auto it = deferred.rbegin(); it != deferred.rend(); ++it) {
        rootfs::Fd dir =
            rootfs::open_in_root_if_exists(root_fd, it->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (!dir.valid()) {
            continue;  // replaced later in the layer
        }
        timespec times[2] = {it->mtime, it->mtime};
        if (::futimens(dir.get(), times) != 0) {
            throw_errno("set the times of " + quote("/" + it->path));
        }
    }
}

void apply_entries(int root_fd, ArchiveReader& reader, StreamClient& client) {
    std::set<std::string> written;
    std::vector<DeferredTime> deferred;
    timespec root_mtime{-1, 0};
    for (;;) {
        archive_entry* entry = nullptr;
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) {
            break;
        }
        if (status < ARCHIVE_WARN) {
            reader.fail(client, "read the next entry");
        }
        std::string raw_path = entry_path(entry);
        std::vector<std::string> parts = confined_components(raw_path);
        try {
            if (parts.empty()) {
                apply_root_entry(root_fd, entry);
                root_mtime = timespec{archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
            } else if (parts.back() == kOpaqueMarker) {
                make_opaque(root_fd, join_components(parts, parts.size() - 1), written);
            } else if (parts.back().starts_with(kWhiteoutPrefix)) {
                remove_whited_out(root_fd, parts, written);
            } else {
                write_entry(root_fd, reader.get(), entry, parts, deferred);
                // Parents the entry implied without entries of their own count as written,
                // so an opaque marker later in the layer keeps them.
                for (std::size_t count = 1; count <= parts.size(); ++count) {
                    written.insert(join_components(parts, count));
                }
            }
        } catch (const Error& error) {
            if (client.failure) {
                std::rethrow_exception(client.failure);
            }
            throw error.with_context("entry " + quote(raw_path));
        }
    }
    apply_deferred_times(root_fd, deferred);
    if (root_mtime.tv_sec >= 0) {
        timespec times[2] = {root_mtime, root_mtime};
        if (::futimens(root_fd, times) != 0) {
            throw_errno("set the times of the root directory");
        }
    }
}

}  // namespace

void apply_layer(int root_fd, ByteStream& layer, const std::string& layer_name) {
    UmaskGuard umask_guard;
    StreamClient client(layer);
    try {
        ArchiveReader reader(client, ArchiveFormat::tar);
        apply_entries(root_fd, reader, client);
    } catch (const Error& error) {
        throw error.with_context("layer " + quote(layer_name));
    }
}

}  // namespace ocirun::image
