// Image sources: a directory read with openat, or a tar archive read member by member.
#include "image/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/error.h"
#include "rootfs/safe_path.h"

namespace ocirun::image {
namespace {

constexpr std::size_t kArchiveBlockSize = 1 << 16;

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
        if (archive_entry_filetype(entry) == AE_IFREG) {
            archive_names_.insert(normalize_member_name(archive_entry_pathname(entry)));
        }
    }
    std::string message = status == ARCHIVE_EOF ? "" : archive_error_string(reader);
    archive_read_free(reader);
    if (!message.empty()) {
        throw_error("read the image archive " + quote(path_) + ": " + message);
    }
}

bool ImageSource::contains(const std::string& name) const {
    if (is_archive_) {
        return archive_names_.count(name) != 0;
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
    if (archive_names_.count(name) == 0) {
        throw_error("image " + quote(path_) + ": " + quote(name) + " not found in the archive",
                    ErrorKind::not_found);
    }
    archive* reader = open_archive(path_);
    archive_entry* entry = nullptr;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        if (archive_entry_filetype(entry) == AE_IFREG &&
            normalize_member_name(archive_entry_pathname(entry)) == name) {
            return std::make_unique<ArchiveMemberStream>(reader, name);
        }
    }
    std::string message = archive_error_string(reader) ? archive_error_string(reader) : "";
    archive_read_free(reader);
    throw_error("image " + quote(path_) + ": " + quote(name) + " not found in the archive" +
                (message.empty() ? "" : ": " + message));
}

}  // namespace ocirun::image
