// Digest parsing and EVP hashing.
#include "image/digest.h"

#include <openssl/evp.h>

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

struct Hasher::Context {
    EVP_MD_CTX* md = nullptr;
};

Hasher::Hasher(const std::string& algorithm) : context_(std::make_unique<Context>()) {
    const EVP_MD* type = nullptr;
    if (algorithm == "sha256") {
        type = EVP_sha256();
    } else if (algorithm == "sha512") {
        type = EVP_sha512();
    } else {
        throw_error("unsupported digest algorithm " + quote(algorithm), ErrorKind::unsupported);
    }
    context_->md = EVP_MD_CTX_new();
    if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, type, nullptr) != 1) {
        EVP_MD_CTX_free(context_->md);
        throw_error("initialize the " + algorithm + " digest: openssl failed");
    }
}

Hasher::~Hasher() {
    EVP_MD_CTX_free(context_->md);
}

void Hasher::update(const void* data, std::size_t size) {
    if (EVP_DigestUpdate(context_->md, data, size) != 1) {
        throw_error("update digest: openssl failed");
    }
}

std::string Hasher::finish() {
    unsigned char value[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->md, value, &length) != 1) {
        throw_error("finish digest: openssl failed");
    }
    static const char kHexDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
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
