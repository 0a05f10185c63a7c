// File, archive-member and digest-checking streams.
#include "image/stream.h"

#include <archive.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace ocirun::image {

FileStream::FileStream(rootfs::Fd fd, std::string path)
    : fd_(std::move(fd)), path_(std::move(path)) {}

std::size_t FileStream::read(char* buffer, std::size_t size) {
    for (;;) {
        ssize_t count = ::read(fd_.get(), buffer, size);
        if (count >= 0) {
            return static_cast<std::size_t>(count);
        }
        if (errno != EINTR) {
            throw_errno("read " + quote(path_));
        }
    }
}

ArchiveMemberStream::ArchiveMemberStream(archive* reader, std::string name)
    : reader_(reader), name_(std::move(name)) {}

ArchiveMemberStream::~ArchiveMemberStream() {
    archive_read_free(reader_);
}

std::size_t ArchiveMemberStream::read(char* buffer, std::size_t size) {
    la_ssize_t count = archive_read_data(reader_, buffer, size);
    if (count < 0) {
        throw_error("read " + quote(name_) + " from the archive: " + archive_error_string(reader_));
    }
    return static_cast<std::size_t>(count);
}

VerifiedStream::VerifiedStream(std::unique_ptr<ByteStream> inner, Digest expected,
                               std::optional<std::uint64_t> expected_size, std::string blob_name)
    : inner_(std::move(inner)),
      expected_(std::move(expected)),
      expected_size_(expected_size),
      blob_name_(std::move(blob_name)),
      hasher_(expected_.algorithm) {}

std::size_t VerifiedStream::read(char* buffer, std::size_t size) {
    if (verified_) {
        return 0;
    }
    std::size_t count = inner_->read(buffer, size);
    if (count == 0) {
        check_end();
        return 0;
    }
    count_ += count;
    if (expected_size_ && count_ > *expected_size_) {
        throw_error("blob " + quote(blob_name_) + ": size mismatch: longer than the " +
                    std::to_string(*expected_size_) + " bytes its descriptor gives");
    }
    hasher_.update(buffer, count);
    return count;
}

void VerifiedStream::drain() {
    char buffer[65536];
    while (read(buffer, sizeof(buffer)) > 0) {
    }
}

void VerifiedStream::check_end() {
    if (expected_size_ && count_ != *expected_size_) {
        throw_error("blob " + quote(blob_name_) + ": size mismatch: " + std::to_string(count_) +
                    " bytes, descriptor gives " + std::to_string(*expected_size_));
    }
    std::string actual = hasher_.finish();
    if (actual != expected_.hex) {
        throw_error("blob " + quote(blob_name_) + ": digest mismatch: content hashes to " +
                    expected_.algorithm + ":" + actual + ", expected " + expected_.text());
    }
    verified_ = true;
}

std::string read_all(ByteStream& stream, std::size_t max_size, const std::string& what) {
    std::string data;
    char buffer[65536];
    for (;;) {
        std::size_t count = stream.read(buffer, sizeof(buffer));
        if (count == 0) {
            return data;
        }
        if (data.size() + count > max_size) {
            throw_error(what + ": larger than the maximum of " + std::to_string(max_size) +
                        " bytes");
        }
        data.append(buffer, count);
    }
}

}  // namespace ocirun::image
