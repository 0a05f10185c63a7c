// Tests of digest parsing and hashing.
#include "image/digest.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace ocirun::image {
namespace {

const std::string kAbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(ParseDigest, AcceptsSha256) {
    Digest digest = parse_digest("sha256:" + kAbcSha256);
    EXPECT_EQ(digest.algorithm, "sha256");
    EXPECT_EQ(digest.hex, kAbcSha256);
    EXPECT_EQ(digest.text(), "sha256:" + kAbcSha256);
}

TEST(ParseDigest, AcceptsSha512) {
    Digest digest = parse_digest("sha512:" + std::string(128, 'a'));
    EXPECT_EQ(digest.algorithm, "sha512");
}

TEST(ParseDigest, RejectsMalformed) {
    EXPECT_THROW(parse_digest("sha256"), Error);
    EXPECT_THROW(parse_digest("sha256:abc"), Error);
    EXPECT_THROW(parse_digest("sha256:" + std::string(64, 'A')), Error);
    EXPECT_THROW(parse_digest("sha256:" + std::string(63, 'a') + "g"), Error);
}

TEST(ParseDigest, RejectsUnknownAlgorithm) {
    try {
        parse_digest("md5:" + std::string(32, 'a'));
        FAIL() << "md5 accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::unsupported);
        EXPECT_NE(std::string(error.what()).find("md5"), std::string::npos) << error.what();
    }
}

TEST(LooksLikeDigest, TellsTagsFromDigests) {
    EXPECT_TRUE(looks_like_digest("sha256:" + kAbcSha256));
    EXPECT_FALSE(looks_like_digest("latest"));
    EXPECT_FALSE(looks_like_digest("v1:2"));
}

TEST(Hasher, HashesKnownVectors) {
    EXPECT_EQ(hash_hex("sha256", "abc"), kAbcSha256);
    EXPECT_EQ(hash_hex("sha512", "abc").substr(0, 16), "ddaf35a193617aba");
}

TEST(Hasher, HashesInPieces) {
    Hasher hasher("sha256");
    hasher.update("a", 1);
    hasher.update("bc", 2);
    EXPECT_EQ(hasher.finish(), kAbcSha256);
}

}  // namespace
}  // namespace ocirun::image
