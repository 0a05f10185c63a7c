// Image sources: a directory read with openat, or a tar archive read member by member.
#include "image/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/error.h"
#include "image/layer_entry.h"
#include "rootfs/safe_path.h"

namespace ocirun::image {
namespace {

constexpr std::size_t kArchiveBlockSize = 1 << 16;

// A symlink chain longer than this is taken for a loop, as the kernel's limit of 40 does.
constexpr int kMaxMemberLinks = 40;

// Returns a reader over the archive at `path`; uncompressed archives skip member data by
// seeking, so finding a member costs one header read per member before it.
archive* open_archive(const std::string& path) {
    archive* reader = archive_read_new();
    if (reader == nullptr) {
        throw_error("allocate an archive reader: out of memory");
    }
    archive_read_support_format_tar(reader);
    archive_read_support_filter_gzip(reader);
    archive_read_support_filter_zstd(reader);
    if (archive_read_open_filename(reader, path.c_str(), kArchiveBlockSize) != ARCHIVE_OK) {
        std::string message = archive_error_string(reader);
        archive_read_free(reader);
        throw_error("open the image archive " + quote(path) + ": " + message);
    }
    return reader;
}

}  // namespace

std::string normalize_member_name(std::string name) {
    for (;;) {
        if (name.starts_with("./")) {
            name.erase(0, 2);
        } else if (name.starts_with("/")) {
            name.erase(0, 1);
        } else {
            return name;
        }
    }
}

ImageSource::ImageSource(std::string path) : path_(std::move(path)) {
    struct stat info {};
    if (::stat(path_.c_str(), &info) != 0) {
        throw Error("image " + quote(path_) + ": " + errno_text(errno), errno,
                    errno == ENOENT ? ErrorKind::not_found : ErrorKind::generic);
    }
    if (S_ISDIR(info.st_mode)) {
        return;
    }
    if (!S_ISREG(info.st_mode)) {
        throw_error("image " + quote(path_) + ": neither a directory nor an archive file");
    }
    is_archive_ = true;
    archive* reader = open_archive(path_);
    archive_entry* entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(reader, &entry)) == ARCHIVE_OK) {
        std::string name = normalize_member_name(archive_entry_pathname(entry));
        if (archive_entry_filetype(entry) == AE_IFREG) {
            archive_names_.insert(name);
        } else if (archive_entry_filetype(entry) == AE_IFLNK &&
                   archive_entry_symlink(entry) != nullptr) {
            // The target is relative to the link's directory, and an absolute target is
            // taken relative to the archive's top.
            std::string target = archive_entry_symlink(entry);
            std::string base = target.starts_with("/") || name.find('/') == std::string::npos
                                   ? ""
                                   : name.substr(0, name.rfind('/') + 1);
            std::vector<std::string> parts = confined_components(base + target);
            archive_links_[name] = join_components(parts, parts.size());
        }
    }
    std::string message = status == ARCHIVE_EOF ? "" : archive_error_string(reader);
    archive_read_free(reader);
    if (!message.empty()) {
        throw_error("read the image archive " + quote(path_) + ": " + message);
    }
}

std::string ImageSource::resolve_member(const std::string& name) const {
    std::string current = name;
    for (int hops = 0; hops <= kMaxMemberLinks; ++hops) {
        if (archive_names_.count(current) != 0) {
            return current;
        }
        auto link = archive_links_.find(current);
        if (link == archive_links_.end()) {
            return "";
        }
        current = link->second;
    }
    return "";
}

bool ImageSource::contains(const std::string& name) const {
    if (is_archive_) {
        return !resolve_member(name).empty();
    }
    struct stat info {};
    return ::stat((path_ + "/" + name).c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::unique_ptr<ByteStream> ImageSource::open(const std::string& name) const {
    if (!is_archive_) {
        // Blob names come from manifests, so they are resolved with the layout as `/`.
        int dir_fd = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
            throw_errno("open the image directory " + quote(path_));
        }
        rootfs::Fd dir(dir_fd);
        rootfs::Fd file;
        try {
            file = rootfs::open_in_root(dir.get(), name, O_RDONLY);
        } catch (const Error& error) {
            throw error.with_context("image " + quote(path_));
        }
        return std::make_unique<FileStream>(std::move(file), path_ + "/" + name);
    }
    std::string member = resolve_member(name);
    if (member.empty()) {
        throw_error("image " + quote(path_) + ": " + quote(name) + " not found in the archive",
                    ErrorKind::not_found);
    }
    archive* reader = open_archive(path_);
    archive_entry* entry = nullptr;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        if (archive_entry_filetype(entry) == AE_IFREG &&
            normalize_member_name(archive_entry_pathname(entry)) == member) {
            return std::make_unique<ArchiveMemberStream>(reader, name);
        }
    }
    std::string message = archive_error_string(reader) ? archive_error_string(reader) : "";
    archive_read_free(reader);
    throw_error("image " + quote(path_) + ": " + quote(name) + " not found in the archive" +
                (message.empty() ? "" : ": " + message));
}

}  // namespace ocirun::image
