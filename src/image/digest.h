// Content digests of the OCI image spec ("sha256:<hex>", "sha512:<hex>"), computed while
// streaming with nettle's SHA-2 functions.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace ocirun::image {

struct Digest {
    std::string algorithm;  // "sha256" or "sha512"
    std::string hex;        // lowercase, 64 or 128 characters

    std::string text() const { return algorithm + ":" + hex; }
};

// Parses "algorithm:hex". Throws Error naming the value for an unsupported algorithm or an
// encoded part of the wrong length or alphabet.
Digest parse_digest(std::string_view text);

// True when `text` has the form of a digest, so a reference can be distinguished from a tag.
bool looks_like_digest(std::string_view text);

// A running hash of one algorithm; finish() returns the lowercase hex of what was fed.
class Hasher {
  public:
    explicit Hasher(const std::string& algorithm);
    ~Hasher();
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(const void* data, std::size_t size);
    std::string finish();

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

// Returns the hex digest of `data` with `algorithm`.
std::string hash_hex(const std::string& algorithm, std::string_view data);

}  // namespace ocirun::image
