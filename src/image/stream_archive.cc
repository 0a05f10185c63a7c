// The libarchive reader over a ByteStream.
#include "image/stream_archive.h"

#include <archive.h>

#include <cerrno>

#include "base/error.h"

namespace ocirun::image {
namespace {

constexpr std::size_t kReadBufferSize = 1 << 17;

la_ssize_t read_callback(archive* reader, void* client_data, const void** block) {
    auto* client = static_cast<StreamClient*>(client_data);
    try {
        std::size_t count = client->stream->read(client->buffer.data(), client->buffer.size());
        *block = client->buffer.data();
        return static_cast<la_ssize_t>(count);
    } catch (...) {
        client->failure = std::current_exception();
        archive_set_error(reader, EIO, "layer stream failed");
        return -1;
    }
}

}  // namespace

StreamClient::StreamClient(ByteStream& source)
    : stream(&source), buffer(kReadBufferSize), failure(nullptr) {}

ArchiveReader::ArchiveReader(StreamClient& client, ArchiveFormat format)
    : reader_(archive_read_new()) {
    if (reader_ == nullptr) {
        throw_error("allocate an archive reader: out of memory");
    }
    if (format == ArchiveFormat::tar) {
        archive_read_support_format_tar(reader_);
    } else {
        archive_read_support_format_raw(reader_);
    }
    archive_read_support_filter_gzip(reader_);
    archive_read_support_filter_zstd(reader_);
    if (archive_read_open(reader_, &client, nullptr, read_callback, nullptr) != ARCHIVE_OK) {
        try {
            fail(client, "open");
        } catch (...) {
            archive_read_free(reader_);
            throw;
        }
    }
}

ArchiveReader::~ArchiveReader() {
    archive_read_free(reader_);
}

void ArchiveReader::fail(const StreamClient& client, const std::string& action) const {
    if (client.failure) {
        std::rethrow_exception(client.failure);
    }
    const char* message = archive_error_string(reader_);
    throw_error(action + ": " + (message != nullptr ? message : "unknown archive error"));
}

}  // namespace ocirun::image
