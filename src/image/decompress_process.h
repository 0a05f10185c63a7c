// Reading a layer blob in a child process. The child reads the blob, checks its digest and
// size, and decompresses it into a pipe, from which the caller extracts the tar. Like
// `tar -xzf` with its gzip child, the two halves of the work then run on two CPUs. It is a
// child process and not a thread, because `create --image` unpacks in the process that later
// clones the container, and that process must stay single-threaded until the clone.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "image/stream.h"
#include "rootfs/fd.h"

namespace ocirun::image {

class DecompressedStream : public ByteStream {
  public:
    // Forks the child that reads `blob` (gzip, zstd or uncompressed; libarchive detects
    // which). Throws Error when the pipe or the fork fails.
    DecompressedStream(std::unique_ptr<VerifiedStream> blob, std::string blob_name);
    // Kills and reaps the child when finish() did not run.
    ~DecompressedStream() override;
    DecompressedStream(const DecompressedStream&) = delete;
    DecompressedStream& operator=(const DecompressedStream&) = delete;

    std::size_t read(char* buffer, std::size_t size) override;

    // Reads what is left of the decompressed data, such as the padding after a tar's
    // end-of-archive blocks, and waits for the child. Throws Error with the child's message
    // when the blob failed its digest or size check or could not be decompressed.
    void finish();

  private:
    std::string blob_name_;
    std::unique_ptr<FileStream> data_;  // read end of the pipe of decompressed bytes
    rootfs::Fd status_;  // read end of the pipe of the child's error message, empty on success
    pid_t child_ = -1;
};

}  // namespace ocirun::image
