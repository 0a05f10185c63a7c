// The child process that checks and decompresses a layer blob, and the stream that reads its
// output.
#include "image/decompress_process.h"

#include <archive.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "image/stream_archive.h"

namespace ocirun::image {
namespace {

// A larger pipe means fewer switches between the two processes. 1 MiB is the default
// /proc/sys/fs/pipe-max-size, so an unprivileged caller may set it too.
constexpr int kPipeSize = 1 << 20;

// Writes all of `data` to `fd`; returns false when the reader is gone or the write fails.
bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

void send_decompressed(VerifiedStream& blob, int data_fd) {
    StreamClient client(blob);
    ArchiveReader reader(client, ArchiveFormat::raw);
    archive_entry* entry = nullptr;
    int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_OK) {
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        while ((status = archive_read_data_block(reader.get(), &block, &size, &offset)) ==
               ARCHIVE_OK) {
            if (!write_all(data_fd, static_cast<const char*>(block), size)) {
                throw_errno("send the decompressed data");
            }
        }
    }
    if (status < ARCHIVE_WARN) {
        reader.fail(client, "decompress");
    }
}

// Decompresses `blob` into `data_fd`, then reads the blob to its end so that its digest and
// size are checked. Throws Error on a failed check, a damaged stream or a failed write, and
// the digest or size mismatch when there is one.
void decompress(VerifiedStream& blob, int data_fd) {
    try {
        send_decompressed(blob, data_fd);
    } catch (const Error&) {
        // A corrupt blob usually fails to decompress first, so the digest check reports the cause.
        blob.drain();
        throw;
    }
    blob.drain();
}

[[noreturn]] void run_child(VerifiedStream& blob, int data_fd, int status_fd) {
    // A parent that stopped reading makes write fail with EPIPE instead of killing the child.
    ::signal(SIGPIPE, SIG_IGN);
    int code = 0;
    try {
        decompress(blob, data_fd);
    } catch (const std::exception& error) {
        write_all(status_fd, error.what(), std::strlen(error.what()));
        code = 1;
    } catch (...) {
        code = 1;
    }
    ::_exit(code);
}

void make_pipe(rootfs::Fd& read_end, rootfs::Fd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw_errno("create a pipe for the layer data");
    }
    read_end = rootfs::Fd(fds[0]);
    write_end = rootfs::Fd(fds[1]);
}

std::string read_message(int fd) {
    std::string message;
    char buffer[4096];
    for (;;) {
        ssize_t count = ::read(fd, buffer, sizeof(buffer));
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            return message;
        }
        message.append(buffer, static_cast<std::size_t>(count));
    }
}

}  // namespace

DecompressedStream::DecompressedStream(std::unique_ptr<VerifiedStream> blob, std::string blob_name)
    : blob_name_(std::move(blob_name)) {
    rootfs::Fd data_read;
    rootfs::Fd data_write;
    rootfs::Fd status_write;
    make_pipe(data_read, data_write);
    make_pipe(status_, status_write);
    // Best effort: a smaller pipe is only slower.
    ::fcntl(data_write.get(), F_SETPIPE_SZ, kPipeSize);
    child_ = ::fork();
    if (child_ < 0) {
        throw_errno("fork the process that decompresses blob " + quote(blob_name_));
    }
    if (child_ == 0) {
        ::close(data_read.get());
        ::close(status_.get());
        run_child(*blob, data_write.get(), status_write.get());
    }
    data_ = std::make_unique<FileStream>(std::move(data_read), "decompressed layer " + blob_name_);
}

DecompressedStream::~DecompressedStream() {
    if (child_ > 0) {
        ::kill(child_, SIGKILL);
        while (::waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
}

std::size_t DecompressedStream::read(char* buffer, std::size_t size) {
    return data_->read(buffer, size);
}

void DecompressedStream::finish() {
    if (child_ <= 0) {
        return;
    }
    char buffer[65536];
    while (read(buffer, sizeof(buffer)) > 0) {
    }
    int status = 0;
    pid_t waited = -1;
    do {
        waited = ::waitpid(child_, &status, 0);
    } while (waited < 0 && errno == EINTR);
    child_ = -1;
    if (waited < 0) {
        throw_errno("wait for the process that decompresses blob " + quote(blob_name_));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return;
    }
    std::string message = read_message(status_.get());
    if (message.empty()) {
        message = "the decompression process failed with wait status " + std::to_string(status);
    }
    throw_error("layer " + quote(blob_name_) + ": " + message);
}

}  // namespace ocirun::image
