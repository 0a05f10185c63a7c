// Byte streams that blobs are read through: a file, a member of a tar archive, and a wrapper
// that checks a blob's digest and size as its bytes pass.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "image/digest.h"
#include "rootfs/fd.h"

struct archive;

namespace ocirun::image {

class ByteStream {
  public:
    virtual ~ByteStream() = default;
    // Reads up to `size` bytes into `buffer`; returns 0 at the end. Throws Error on failure.
    virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

// Reads a file through an owned fd.
class FileStream : public ByteStream {
  public:
    FileStream(rootfs::Fd fd, std::string path);
    std::size_t read(char* buffer, std::size_t size) override;

  private:
    rootfs::Fd fd_;
    std::string path_;
};

// Reads the data of the current entry of an owned libarchive reader.
class ArchiveMemberStream : public ByteStream {
  public:
    ArchiveMemberStream(archive* reader, std::string name);
    ~ArchiveMemberStream() override;
    ArchiveMemberStream(const ArchiveMemberStream&) = delete;
    ArchiveMemberStream& operator=(const ArchiveMemberStream&) = delete;
    std::size_t read(char* buffer, std::size_t size) override;

  private:
    archive* reader_;
    std::string name_;
};

// Passes the bytes of `inner` through while hashing and counting them. At the end of the
// stream it throws Error naming the blob when the digest differs or the size is not
// `expected_size` (when given); reading more than `expected_size` bytes fails at once.
class VerifiedStream : public ByteStream {
  public:
    VerifiedStream(std::unique_ptr<ByteStream> inner, Digest expected,
                   std::optional<std::uint64_t> expected_size, std::string blob_name);
    std::size_t read(char* buffer, std::size_t size) override;

    // Reads and checks what is left, such as the padding after a tar's end-of-archive blocks.
    void drain();
    bool verified() const { return verified_; }

  private:
    void check_end();

    std::unique_ptr<ByteStream> inner_;
    Digest expected_;
    std::optional<std::uint64_t> expected_size_;
    std::string blob_name_;
    Hasher hasher_;
    std::uint64_t count_ = 0;
    bool verified_ = false;
};

// Reads a whole stream into memory. Throws Error naming `what` when it exceeds `max_size`.
std::string read_all(ByteStream& stream, std::size_t max_size, const std::string& what);

}  // namespace ocirun::image
