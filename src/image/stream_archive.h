// A libarchive reader over a ByteStream, for layer tars and for decompressing whole blobs.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "image/stream.h"

struct archive;

namespace ocirun::image {

// The libarchive read callback's state. An Error thrown by the stream (a digest mismatch, a
// read failure) cannot cross libarchive's C frames, so it is kept and rethrown afterwards.
struct StreamClient {
    explicit StreamClient(ByteStream& source);

    ByteStream* stream;
    std::vector<char> buffer;
    std::exception_ptr failure;
};

// The formats ArchiveReader reads: the entries of a tar, or the whole stream as one entry of
// raw bytes. In both, gzip and zstd input is decompressed first.
enum class ArchiveFormat { tar, raw };

class ArchiveReader {
  public:
    ArchiveReader(StreamClient& client, ArchiveFormat format);
    ~ArchiveReader();
    ArchiveReader(const ArchiveReader&) = delete;
    ArchiveReader& operator=(const ArchiveReader&) = delete;

    archive* get() const { return reader_; }

    // Throws the stream's own Error when it failed, else an Error with libarchive's message.
    [[noreturn]] void fail(const StreamClient& client, const std::string& action) const;

  private:
    archive* reader_;
};

}  // namespace ocirun::image
