// Digest parsing and SHA-2 hashing with nettle.
#include "image/digest.h"

#include <nettle/sha2.h>

#include <variant>

#include "base/error.h"

namespace ocirun::image {
namespace {

std::size_t hex_length(std::string_view algorithm) {
    if (algorithm == "sha256") {
        return 64;
    }
    if (algorithm == "sha512") {
        return 128;
    }
    return 0;
}

bool is_lower_hex(std::string_view text) {
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

}  // namespace

Digest parse_digest(std::string_view text) {
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        throw_error("invalid digest " + quote(text) + ": expected algorithm:hex");
    }
    Digest digest{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
    std::size_t length = hex_length(digest.algorithm);
    if (length == 0) {
        throw_error("digest " + quote(text) + ": unsupported algorithm " + quote(digest.algorithm) +
                        "; sha256 and sha512 are supported",
                    ErrorKind::unsupported);
    }
    if (digest.hex.size() != length || !is_lower_hex(digest.hex)) {
        throw_error("invalid digest " + quote(text) + ": expected " + std::to_string(length) +
                    " lowercase hex digits after the colon");
    }
    return digest;
}

bool looks_like_digest(std::string_view text) {
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    std::size_t length = hex_length(text.substr(0, colon));
    return length != 0 && text.size() - colon - 1 == length;
}

// nettle's contexts are plain structs, so no cleanup is needed.
struct Hasher::Context {
    std::variant<sha256_ctx, sha512_ctx> state;
};

Hasher::Hasher(const std::string& algorithm) : context_(std::make_unique<Context>()) {
    if (algorithm == "sha256") {
        sha256_init(&context_->state.emplace<sha256_ctx>());
    } else if (algorithm == "sha512") {
        sha512_init(&context_->state.emplace<sha512_ctx>());
    } else {
        throw_error("unsupported digest algorithm " + quote(algorithm), ErrorKind::unsupported);
    }
}

Hasher::~Hasher() = default;

void Hasher::update(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    if (auto* sha256 = std::get_if<sha256_ctx>(&context_->state)) {
        sha256_update(sha256, size, bytes);
    } else {
        sha512_update(&std::get<sha512_ctx>(context_->state), size, bytes);
    }
}

std::string Hasher::finish() {
    uint8_t value[SHA512_DIGEST_SIZE];
    std::size_t length = 0;
    if (auto* sha256 = std::get_if<sha256_ctx>(&context_->state)) {
        length = SHA256_DIGEST_SIZE;
        sha256_digest(sha256, length, value);
    } else {
        length = SHA512_DIGEST_SIZE;
        sha512_digest(&std::get<sha512_ctx>(context_->state), length, value);
    }
    static const char kHexDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (std::size_t i = 0; i < length; ++i) {
        hex.push_back(kHexDigits[value[i] >> 4]);
        hex.push_back(kHexDigits[value[i] & 0xf]);
    }
    return hex;
}

std::string hash_hex(const std::string& algorithm, std::string_view data) {
    Hasher hasher(algorithm);
    hasher.update(data.data(), data.size());
    return hasher.finish();
}

}  // namespace ocirun::image
